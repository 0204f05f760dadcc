using EmailEngine.Deliverability;
using EmailEngine.Webhooks;

namespace EmailEngine.Accounting;

/// <summary>The bodies' <c>data</c> of bounce and complaint webhook events (documented in docs/webhooks.md).</summary>
public static class BounceWebhookEvents
{
    /// <summary>A bounce (any class: <c>block</c> tells the tenant the IP was refused, not the mailbox) or a complaint, per recipient tenant.</summary>
    public static IEnumerable<WebhookEvent> Of(BounceEvent bounce, AcctRecord record, Attribution who)
    {
        var complaint = bounce.Class == BounceClass.Complaint;
        object data = complaint
            ? new { email = bounce.Email, at = bounce.At, vmta = who.Vmta, campaign_id = IdOrNull(who.CampaignId), source = bounce.Source }
            : new
            {
                email = bounce.Email, @class = bounce.Class.ToString().ToLowerInvariant(), reason = bounce.Why, record_type = record.Type,
                dsn_status = record.DsnStatus, diagnostic = record.DsnDiag, bounce_category = record.BounceCat, at = bounce.At,
                vmta = who.Vmta, campaign_id = IdOrNull(who.CampaignId), source = bounce.Source,
            };
        return bounce.Tenants.Select(tenant => new WebhookEvent(tenant, complaint ? WebhookEventTypes.Complaint : WebhookEventTypes.Bounce, data));
    }

    private static long? IdOrNull(long id) => id == 0 ? null : id;
}
