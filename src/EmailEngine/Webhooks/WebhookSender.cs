using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Webhooks;

/// <summary>
/// Outbox handler that POSTs one delivery. A 2xx answer delivers it; anything else (another status, a timeout, a
/// refused connection) is retried by the outbox with exponential backoff, then marked failed and left in the
/// delivery log for a manual retry. Redirects are not followed: a receiver that moved must be re-registered.
/// The same body is sent on every attempt, so receivers dedupe on the body's <c>id</c>.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory http, WebhookSecrets secrets, TimeProvider clock, ILogger<WebhookSender> logger) : IOutboxHandler
{
    public const string HttpClientName = "webhooks";

    public string Kind => WebhookPublisher.DeliverKind;

    public async Task<OutboxResult> HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var delivery = await FindDeliveryAsync(message, db, ct);
        if (delivery is null)
            return OutboxResult.Success; // its webhook was deleted
        var webhook = await db.Set<Webhook>().AsNoTracking().SingleAsync(w => w.Id == delivery.WebhookId, ct);
        if (!webhook.Enabled)
            return new OutboxResult.Fail("webhook is disabled");

        var now = clock.GetUtcNow();
        delivery.Attempts++;
        delivery.LastAttemptAt = now;
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-EE-Event", delivery.EventType);
        request.Headers.Add("X-EE-Delivery", delivery.Id.ToString());
        request.Headers.Add("X-EE-Signature", WebhookSecrets.Sign(secrets.Unprotect(webhook.EncryptedSecret, webhook.TenantId), now, delivery.Body));
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            delivery.LastResponseStatus = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                delivery.Status = WebhookDeliveryStatus.Delivered;
                delivery.DeliveredAt = clock.GetUtcNow();
                delivery.LastError = null;
                logger.LogInformation("Webhook {WebhookId} took {Event} delivery {Delivery} ({Status}, {Ms} ms)",
                    webhook.Id, delivery.EventType, delivery.Id, delivery.LastResponseStatus, watch.ElapsedMilliseconds);
                return OutboxResult.Success;
            }
            delivery.LastError = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            delivery.LastResponseStatus = null;
            delivery.LastError = e is TaskCanceledException ? "no answer within the timeout" : e.Message;
        }
        return new OutboxResult.Retry($"webhook {webhook.Id}: {delivery.LastError}");
    }

    public async Task RecordFailureAsync(OutboxMessage message, AppDbContext db, string error, bool final, CancellationToken ct)
    {
        if (!final)
            return;
        if (await FindDeliveryAsync(message, db, ct) is not { } delivery)
            return;
        delivery.Status = WebhookDeliveryStatus.Failed;
        delivery.LastError ??= error;
    }

    private static Task<WebhookDelivery?> FindDeliveryAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<WebhookPublisher.DeliverPayload>(message.Payload, WebhookPublisher.Json)!;
        return db.Set<WebhookDelivery>().SingleOrDefaultAsync(d => d.Id == payload.DeliveryId, ct);
    }
}
