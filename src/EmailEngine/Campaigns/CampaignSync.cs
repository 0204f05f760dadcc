using System.Text.Json;
using EmailEngine.Outbox;

namespace EmailEngine.Campaigns;

public static class CampaignSync
{
    public const string Kind = "mailwizz.campaign";

    public static string ResourceKey(long id) => $"campaign:{id}";

    public sealed record DeletedPayload(string? RemoteUid, string RemoteName);

    public static string RemoteName(string tenantSlug, string name) => $"{tenantSlug}/{name}";

    public static Task EnqueueAsync(OutboxWriter outbox, Campaign campaign, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, ResourceKey(campaign.Id), campaign.TenantId, "{}", ct);

    /// <summary>Marks the campaign as waiting for MailWizz and queues its push.</summary>
    public static Task RequeueAsync(OutboxWriter outbox, Campaign campaign, CancellationToken ct)
    {
        campaign.Sync.MarkPending();
        return EnqueueAsync(outbox, campaign, ct);
    }

    public static Task EnqueueDeleteAsync(OutboxWriter outbox, Campaign campaign, string tenantSlug, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, ResourceKey(campaign.Id), campaign.TenantId,
            JsonSerializer.Serialize(new DeletedPayload(campaign.Sync.RemoteUid, RemoteName(tenantSlug, campaign.Name))), ct);
}
