using EmailEngine.Webhooks;

namespace EmailEngine.Suppressions;

/// <summary>The body's <c>data</c> of a suppression webhook event (documented in docs/webhooks.md).</summary>
public static class SuppressionWebhookEvents
{
    /// <summary>An address added to the tenant's suppression list, or to the global one (<c>scope</c>); erased addresses
    /// carry only their hash.</summary>
    public static WebhookEvent Of(Suppression entry, long tenantId) => new(tenantId, WebhookEventTypes.Suppression, new
    {
        email = entry.Email, email_hash = entry.EmailHash, scope = entry.TenantId is null ? "global" : "tenant",
        reason = SuppressionReasons.ToWire(entry.Reason), source = entry.Source, note = entry.Note, created_at = entry.CreatedAt,
    });
}
