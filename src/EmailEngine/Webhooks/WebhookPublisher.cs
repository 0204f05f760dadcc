using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Webhooks;

/// <summary>An event for one tenant; <see cref="Data"/> is serialized in snake_case as the body's <c>data</c>.</summary>
public sealed record WebhookEvent(long TenantId, string Type, object Data);

/// <summary>
/// Turns events into one <see cref="WebhookDelivery"/> and one outbox message per subscribed webhook, in the caller's
/// unit of work: nothing is saved here, so the caller's commit records the event and its deliveries together.
/// Tenants without a webhook for the event cost one indexed query per call.
/// </summary>
public sealed class WebhookPublisher(AppDbContext db, OutboxWriter outbox, TimeProvider clock)
{
    public const string DeliverKind = "webhook.deliver";

    public sealed record DeliverPayload(Guid DeliveryId);

    internal static readonly JsonSerializerOptions Json = ApiJson.Options;

    /// <summary>Each delivery is its own outbox resource: deliveries never wait for or supersede one another.</summary>
    public static string ResourceKey(Guid deliveryId) => $"webhook:{deliveryId}";

    /// <returns>How many deliveries were queued.</returns>
    public async Task<int> PublishManyAsync(IReadOnlyCollection<WebhookEvent> events, CancellationToken ct)
    {
        if (events.Count == 0)
            return 0;
        var tenantIds = events.Select(e => e.TenantId).Distinct().ToList();
        var webhooks = await db.Set<Webhook>().AsNoTracking().Include(w => w.Tenant)
            .Where(w => w.Enabled && tenantIds.Contains(w.TenantId)).ToListAsync(ct);
        if (webhooks.Count == 0)
            return 0;
        // Subscriptions are read once per call, not once per event.
        var subscribers = webhooks.SelectMany(w => w.EventList.Select(type => (Key: (w.TenantId, type), Webhook: w)))
            .ToLookup(s => s.Key, s => s.Webhook);
        var queued = new List<OutboxItem>();
        foreach (var e in events)
        {
            var subscribed = subscribers[(e.TenantId, e.Type)].ToList();
            if (subscribed.Count > 0)
                queued.AddRange(Queue(subscribed, e).Select(q => q.Item));
        }
        outbox.EnqueueUnique(DeliverKind, queued);
        return queued.Count;
    }

    /// <summary>A <c>ping</c> to one webhook, subscribed or not (a receiver's first test).</summary>
    public WebhookDelivery Ping(Webhook webhook)
    {
        var (delivery, item) = Queue([webhook], new WebhookEvent(webhook.TenantId, WebhookEventTypes.Ping,
            new { webhook_id = webhook.Id, message = "ping from Email-Engine" })).Single();
        outbox.EnqueueUnique(DeliverKind, [item]);
        return delivery;
    }

    private List<(WebhookDelivery Delivery, OutboxItem Item)> Queue(IReadOnlyList<Webhook> webhooks, WebhookEvent e)
    {
        var now = clock.GetUtcNow();
        var eventId = Guid.CreateVersion7(now);
        var body = JsonSerializer.Serialize(new { id = eventId, type = e.Type, created_at = now, tenant = webhooks[0].Tenant!.Slug, data = e.Data }, Json);
        var items = new List<(WebhookDelivery, OutboxItem)>(webhooks.Count);
        foreach (var webhook in webhooks)
        {
            var delivery = new WebhookDelivery
            {
                Id = Guid.CreateVersion7(now), EventId = eventId, WebhookId = webhook.Id, TenantId = e.TenantId, EventType = e.Type,
                Body = body, Status = WebhookDeliveryStatus.Pending, CreatedAt = now,
            };
            db.Add(delivery);
            items.Add((delivery, new OutboxItem(ResourceKey(delivery.Id), e.TenantId, JsonSerializer.Serialize(new DeliverPayload(delivery.Id), Json))));
        }
        return items;
    }
}
