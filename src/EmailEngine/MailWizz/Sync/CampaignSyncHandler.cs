using System.Text.Json;
using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.MailWizz.DeliveryServers;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Makes MailWizz's campaign match ours on the tenant's list: an autoresponder maps to
/// <c>autoresponder_event=AFTER-SUBSCRIBE</c> with its delay; paused state follows through pause-unpause. A campaign is
/// paused in MailWizz when it is paused here or while no IP may send (<see cref="SendingHold"/>); it may use only the
/// delivery servers of its tenant's pool (<see cref="TenantServers"/>).
/// </summary>
public sealed class CampaignSyncHandler(MailWizzClient client, TenantListSync lists, SendingHold hold, EngineSettings settings,
    MailWizzOptions options, TimeProvider clock) : SyncHandler(options, clock)
{
    public override string Kind => CampaignSync.Kind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var campaign = await db.Set<Campaign>().Include(c => c.Tenant).Include(c => c.Template)
            .SingleOrDefaultAsync(c => c.Id == IdFromKey(message), ct);
        if (campaign is null)
            return await DeleteAsync(JsonSerializer.Deserialize<CampaignSync.DeletedPayload>(message.Payload), ct);

        var language = campaign.Template.Language;
        var list = await lists.RequireAsync(campaign.Tenant, language, ct);
        if (list.Problem is not null)
            return list.Problem;
        if (campaign.Template.Sync.RemoteUid is not { } templateUid)
            return WaitFor(campaign.Template.Sync, $"template {campaign.TemplateId}");

        var paused = campaign.Paused || await hold.HoldsAsync(campaign.TenantId, ct);
        var servers = await TenantServers.OfAsync(db, campaign.TenantId, ct);
        var sender = campaign.Tenant.Sender.Over(settings);
        var definition = new CampaignDefinition(
            CampaignSync.RemoteName(campaign.Tenant.Slug, campaign.Name), campaign.Type == CampaignType.Autoresponder ? "autoresponder" : "regular",
            campaign.FromName ?? sender.FromName!, campaign.FromEmail ?? sender.FromEmail!, campaign.Subject ?? campaign.Template.Subject,
            campaign.ReplyTo ?? sender.ReplyTo!, list.ListUid!, templateUid, campaign.SendAt ?? Clock.GetUtcNow(),
            AutoresponderEvent: campaign.Type == CampaignType.Autoresponder ? "AFTER-SUBSCRIBE" : null,
            DelayUnit: campaign.DelayUnit, DelayValue: campaign.DelayValue, Status: paused ? "paused" : "pending-sending",
            DeliveryServers: servers ?? ""); // empty: the install links no server (else the tenant's campaigns are held)

        var uid = campaign.Sync.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindCampaignByNameAsync(definition.Name, ct);
            if (!found.IsSuccess)
                return FromError(found.Error!, "finding the campaign");
            uid = found.Value?.CampaignUid;
        }
        if (uid is null)
        {
            var created = await client.CreateCampaignAsync(definition, ct);
            if (!created.IsSuccess)
                return await lists.ErrorOnListAsync(campaign.Tenant, language, list.ListUid!, created.Error!, "creating the campaign", ct);
            MarkSynced(campaign.Sync, created.Value!, message);
            (campaign.MailWizzPaused, campaign.MailWizzServers) = (paused, servers);
            return OutboxResult.Success;
        }
        var updated = await client.UpdateCampaignAsync(uid, definition, ct);
        if (updated.Error is { Kind: MailWizzErrorKind.NotFound })
        {
            campaign.Sync.RemoteUid = null;
            return new OutboxResult.Retry("the campaign disappeared from MailWizz; recreating it", TimeSpan.Zero);
        }
        if (!updated.IsSuccess)
            return await lists.ErrorOnListAsync(campaign.Tenant, language, list.ListUid!, updated.Error!, "updating the campaign", ct);
        if (await AlignPausedAsync(uid, paused, ct) is { } pauseProblem)
            return pauseProblem;
        MarkSynced(campaign.Sync, uid, message);
        (campaign.MailWizzPaused, campaign.MailWizzServers) = (paused, servers);
        return OutboxResult.Success;
    }

    /// <summary>MailWizz only toggles: read the remote status and toggle when it differs from ours.</summary>
    private async Task<OutboxResult?> AlignPausedAsync(string uid, bool paused, CancellationToken ct)
    {
        var remote = await client.GetCampaignAsync(uid, ct);
        if (!remote.IsSuccess)
            return FromError(remote.Error!, "reading the campaign status");
        if (remote.Value is null || (remote.Value.Status == "paused") == paused)
            return null;
        var toggled = await client.PauseUnpauseCampaignAsync(uid, ct);
        return toggled.IsSuccess ? null : FromError(toggled.Error!, paused ? "pausing the campaign" : "resuming the campaign");
    }

    private async Task<OutboxResult> DeleteAsync(CampaignSync.DeletedPayload? deleted, CancellationToken ct)
    {
        if (deleted is null)
            return OutboxResult.Success;
        var uid = deleted.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindCampaignByNameAsync(deleted.RemoteName, ct);
            if (!found.IsSuccess)
                return FromError(found.Error!, "finding the deleted campaign");
            uid = found.Value?.CampaignUid;
        }
        if (uid is null)
            return OutboxResult.Success;
        var removed = await client.DeleteCampaignAsync(uid, ct);
        return removed.IsSuccess || removed.Error!.Kind == MailWizzErrorKind.NotFound ? OutboxResult.Success : FromError(removed.Error!, "deleting the campaign");
    }

    protected override async Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        (await db.Set<Campaign>().SingleOrDefaultAsync(c => c.Id == IdFromKey(message), ct))?.Sync;
}
