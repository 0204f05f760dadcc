using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Locks;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

public sealed record RemoteCheckResult(int Checked, int ListsGone, int TemplatesGone, int CampaignsGone, string? Skipped);

/// <summary>
/// Finds what MailWizz lost without anyone pushing to it (a restored backup, a person's delete): every list, template and
/// campaign the engine has synced is looked up, and a missing one is queued to be recreated through its usual push,
/// with the reason on its sync state. A push that meets a missing list does the same at once
/// (<see cref="TenantListSync.ErrorOnListAsync"/>); this check covers the quiet tenants. MailWizz being unreachable
/// stops the round without changing anything: only a definite "does not exist" counts.
/// </summary>
public sealed class RemoteCheck(AppDbContext db, MailWizzClient client, TenantListSync lists, OutboxWriter outbox, IDistributedLock locks,
    TimeProvider clock, ILogger<RemoteCheck> logger)
{
    public async Task<RemoteCheckResult> RunAsync(CancellationToken ct)
    {
        await using var held = await locks.TryAcquireAsync("mailwizz-remote-check", TimeSpan.FromMinutes(10), ct);
        if (held is null)
            return new(0, 0, 0, 0, "another engine instance is checking");
        var note = TenantListSync.GoneNote(clock.GetUtcNow());
        var (checkedCount, listsGone, templatesGone, campaignsGone) = (0, 0, 0, 0);

        foreach (var list in await db.Set<TenantList>().Include(l => l.Tenant).Where(l => l.Sync.RemoteUid != null).ToListAsync(ct))
        {
            checkedCount++;
            if (await Gone(client.ListExistsAsync(list.Sync.RemoteUid!, ct)) is not { } gone)
                return Unreachable();
            if (gone)
            {
                listsGone++;
                await lists.RecreateGoneAsync(list.Tenant, list, ct);
            }
        }
        foreach (var template in await db.Set<EmailTemplate>().Where(t => t.Sync.RemoteUid != null).ToListAsync(ct))
        {
            checkedCount++;
            if (await Gone(client.TemplateExistsAsync(template.Sync.RemoteUid!, ct)) is not { } gone)
                return Unreachable();
            if (gone)
            {
                templatesGone++;
                template.Sync.MarkGone(note);
                await TemplateSync.EnqueueAsync(outbox, template, ct);
            }
        }
        // Campaigns of a lost list were queued with it above: their uid is cleared in memory, so they are not looked up again.
        foreach (var campaign in (await db.Set<Campaign>().Where(c => c.Sync.RemoteUid != null).ToListAsync(ct)).Where(c => c.Sync.RemoteUid is not null))
        {
            checkedCount++;
            var found = await client.GetCampaignAsync(campaign.Sync.RemoteUid!, ct);
            if (!found.IsSuccess)
                return Unreachable();
            if (found.Value is null)
            {
                campaignsGone++;
                campaign.Sync.MarkGone(note);
                await CampaignSync.EnqueueAsync(outbox, campaign, ct);
            }
        }
        // The backstop for campaigns whose delivery servers in MailWizz are no longer their tenant's pool's.
        await DeliveryServers.TenantServers.AlignAsync(db, outbox, ct);
        await db.SaveChangesAsync(ct);
        if (listsGone + templatesGone + campaignsGone > 0)
            logger.LogWarning("MailWizz had lost {Lists} list(s), {Templates} template(s) and {Campaigns} campaign(s): queued to be recreated",
                listsGone, templatesGone, campaignsGone);
        return new(checkedCount, listsGone, templatesGone, campaignsGone, null);

        RemoteCheckResult Unreachable()
        {
            // Nothing is saved: what was found gone so far is found again next round.
            db.ChangeTracker.Clear();
            return new(checkedCount, 0, 0, 0, "MailWizz did not answer; nothing changed");
        }
    }

    private static async Task<bool?> Gone(Task<MailWizzResult<bool>> exists) => await exists is { IsSuccess: true, Value: var found } ? !found : null;
}

/// <summary><c>MAILWIZZ_CHECK_SECONDS</c> (900; 0 = off): how often <see cref="RemoteCheck"/> runs.</summary>
internal sealed class RemoteCheckWorker(IServiceScopeFactory scopes, MailWizzOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<RemoteCheckWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.IsConfigured ? options.CheckInterval : TimeSpan.Zero;

    protected override bool RunsAtStart => false;

    protected override string RoundName => "MailWizz check";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RemoteCheck>().RunAsync(ct);
        if (result.Skipped is not null)
            Logger.LogInformation("MailWizz check skipped: {Reason}", result.Skipped);
    }
}
