using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Outbox;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Campaigns;

/// <summary>
/// When no IP may send (every registered IP paused, quarantined or on standby), PowerMTA's sending pools are empty: it
/// refuses what MailWizz hands over and MailWizz marks that mail failed. So MailWizz holds the mail instead: while the
/// pool is empty, in the config about to go live or in the one live on every host, every campaign and autoresponder is paused
/// in MailWizz, and each goes back to its own state once an IP is live again. That hold is for all tenants at once. A
/// tenant is held alone (<see cref="IUnservedTenants"/>) when its own pool empties (every IP it owns paused, quarantined
/// or on standby: its delivery servers choose those IPs' virtual MTAs, where mail would pile up or leave a stopped IP,
/// and without MailWizz's database the engine cannot disable them) or, while the install links servers to IPs, when it
/// has no delivery server of its own: unrestricted, MailWizz would pick any server, another tenant's included.
/// Pauses come before the config that needs them goes live (the deployment waits up to <see cref="PauseWait"/> for
/// MailWizz, then goes ahead: stopping an IP comes first); resumes only after the config that lets an IP send is live.
/// New sign-ups meanwhile wait in the engine (there is no sending capacity to admit them to).
/// </summary>
public sealed class SendingHold(AppDbContext db, OutboxWriter outbox, IUnservedTenants unserved, ILogger<SendingHold> logger) : ISendingPoolObserver
{
    /// <summary>Real time, not the engine's clock: this waits for MailWizz's API, which a simulated clock does not speed up.</summary>
    public static readonly TimeSpan PauseWait = TimeSpan.FromSeconds(30);

    public async Task<bool> IsHeldAsync(CancellationToken ct)
    {
        var statuses = await db.Set<SendingIp>().Where(ip => ip.Status != IpStatus.Retired).Select(ip => ip.Status).Distinct().ToListAsync(ct);
        if (statuses.Count > 0 && !statuses.Any(IpStatuses.Sends))
            return true;
        // Each PowerMTA host's live config: held while none of them has an IP in its pool.
        var lastLive = db.Set<Deployment>().Where(d => d.Status == DeploymentStatus.Succeeded || d.Status == DeploymentStatus.Unchanged)
            .GroupBy(d => d.Host).Select(g => g.Max(d => d.Id));
        var live = await db.Set<Deployment>().AsNoTracking().Where(d => lastLive.Contains(d.Id)).Select(d => d.ConfigText).ToListAsync(ct);
        return live.Count > 0 && live.All(RenderConfig.SendingPoolIsEmpty);
    }

    /// <summary>Whether a campaign of <paramref name="tenantId"/> must be paused in MailWizz, whatever its own state.</summary>
    public async Task<bool> HoldsAsync(long tenantId, CancellationToken ct) =>
        await IsHeldAsync(ct) || (await unserved.FindAsync(ct)).Contains(tenantId);

    public async Task<PausesBeforeLive> BeforeGoingLiveAsync(bool poolEmpty, CancellationToken ct)
    {
        var alone = (await unserved.FindAsync(ct)).ToList();
        var queued = await RequeueAsync(poolEmpty, alone, pausesOnly: true, ct);
        // Campaigns MailWizz has that must be paused before the config goes live and are not yet.
        var notPaused = db.Set<Campaign>().AsNoTracking()
            .Where(c => c.Sync.RemoteUid != null && !c.MailWizzPaused && (poolEmpty || alone.Contains(c.TenantId)));
        var deadline = TimeProvider.System.GetUtcNow() + PauseWait;
        while (true)
        {
            // Pauses under way, queued by this deployment or an earlier one (another host's may still be in flight). A
            // push MailWizz has already failed or put off is not waited for: while MailWizz is away every deployment would
            // otherwise lose PauseWait, and stopping an IP comes first.
            var pausing = await notPaused.CountAsync(c => c.Sync.Status != SyncStatus.Failed && c.Sync.LastError == null, ct);
            var timedOut = pausing > 0 && TimeProvider.System.GetUtcNow() >= deadline;
            if (pausing == 0 || timedOut)
            {
                var result = new PausesBeforeLive(queued, await notPaused.CountAsync(ct));
                if (result.NotYetPaused > 0)
                    logger.LogWarning("{Count} campaign(s) not paused in MailWizz {Why}: the config goes live anyway; until they are paused, PowerMTA refuses the mail MailWizz hands over for them",
                        result.NotYetPaused, timedOut ? $"after {PauseWait.TotalSeconds:0} s" : "(MailWizz failed or put off the pause)");
                return result;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, ct);
        }
    }

    public async Task AlignAsync(CancellationToken ct)
    {
        var held = await IsHeldAsync(ct);
        if (await RequeueAsync(held, (await unserved.FindAsync(ct)).ToList(), pausesOnly: false, ct) is var count and > 0)
        {
            if (held)
                logger.LogWarning("No IP may send: pausing {Count} campaign(s) in MailWizz until one may", count);
            else
                logger.LogInformation("Campaigns aligned with the live pools: {Count} campaign(s) paused or back to their own state in MailWizz", count);
        }
    }

    /// <summary>
    /// Queues a push for each campaign whose paused state in MailWizz is not the one it should have (only those to pause
    /// when <paramref name="pausesOnly"/>), and returns how many.
    /// </summary>
    private async Task<int> RequeueAsync(bool held, List<long> alone, bool pausesOnly, CancellationToken ct)
    {
        // A campaign whose push is already queued gets the right state from it.
        // Compared in the database: a campaign this context already tracks would be compared with its old values.
        var stale = await db.Set<Campaign>()
            .Where(c => c.MailWizzPaused != (c.Paused || held || alone.Contains(c.TenantId)) && c.Sync.Status != SyncStatus.Pending)
            .Where(c => !pausesOnly || !c.MailWizzPaused).ToListAsync(ct);
        if (stale.Count == 0)
            return 0;
        foreach (var campaign in stale)
        {
            await CampaignSync.RequeueAsync(outbox, campaign, ct);
        }
        await db.SaveChangesAsync(ct);
        return stale.Count;
    }
}
