using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmailEngine.Webhooks;

namespace EmailEngine.Alerts;

/// <summary>
/// A JSON POST to <c>ALERT_WEBHOOK_URL</c>, signed like the tenant webhooks (<c>X-EE-Signature: t=…,v1=HMAC-SHA256</c>)
/// with <c>ALERT_WEBHOOK_SECRET</c>. A 2xx takes it; anything else is retried by the alert sender. Every attempt of
/// one message carries the same <c>id</c> (also in <c>X-EE-Delivery</c>), so a receiver can drop what it already has.
/// </summary>
public sealed class WebhookAlertChannel(IHttpClientFactory http, WebhookAlertSettings settings, TimeProvider clock) : IAlertChannel
{
    public const string HttpClientName = "alerts-webhook";

    public string Name => "webhook";

    public async Task SendAsync(AlertMessage message, CancellationToken ct)
    {
        var id = DeliveryId(message);
        var body = JsonSerializer.Serialize(new
        {
            id, key = message.Key, severity = message.Severity.ToString().ToLowerInvariant(), kind = message.Kind.ToString().ToLowerInvariant(),
            resolved = message.Resolved, subject = message.Subject, title = message.Title, body = message.Body, at = message.At,
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-EE-Event", "alert");
        request.Headers.Add("X-EE-Delivery", id);
        request.Headers.Add("X-EE-Signature", WebhookSecrets.Sign(settings.Secret, clock.GetUtcNow(), body));
        try
        {
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
                throw new AlertChannelException($"the alert webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new AlertChannelException(e is TaskCanceledException ? "the alert webhook did not answer in time" : $"the alert webhook could not be reached: {e.Message}");
        }
    }

    /// <summary>The same for every attempt of one message: its cause, kind and time.</summary>
    public static string DeliveryId(AlertMessage message) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{message.Key}\n{message.Kind}\n{message.At.ToUnixTimeMilliseconds()}")))[..32];
}

public sealed record WebhookAlertSettings(Uri Url, string Secret)
{
    public override string ToString() => $"WebhookAlertSettings {{ Url = {Url} }}";
}
