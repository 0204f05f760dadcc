using EmailEngine.Alerts;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using EmailEngine.Outbox;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.WebConsole.Pages;

public sealed record IpToday(IpResponse Ip, long Quota, long Sent)
{
    /// <summary>Sent more today than its warmup allows (anything, for an IP that may send nothing): what the earlier engine never noticed.</summary>
    public bool Over => Sent > Quota;
}

/// <summary>The operator's morning page: IPs by state, today's quota against what each IP sent, deliverability, and what needs a hand.</summary>
public sealed class IndexModel(AppDbContext db, EngineSettings settings, WarmupOptions warmup, DeliveryStatsQuery stats, TimeProvider clock)
    : ConsolePage
{
    public IReadOnlyList<IpToday> Ips { get; private set; } = [];
    public IReadOnlyDictionary<string, int> ByState { get; private set; } = new Dictionary<string, int>();
    public int Expected { get; private set; }
    public IReadOnlyList<DeliverabilityWindow> Deliverability { get; private set; } = [];
    public long MinSent => warmup.MinSent;
    public IReadOnlyList<Alert> OpenAlerts { get; private set; } = [];
    public int FailedPushes { get; private set; }
    public IReadOnlyList<Deployment> FailedDeploys { get; private set; } = [];
    public IReadOnlyList<BlocklistListing> Listings { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);
        var warmups = await db.Set<IpWarmup>().AsNoTracking().ToDictionaryAsync(w => w.IpId, ct);
        var midnight = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var sentToday = (await stats.GroupedAsync(midnight, now, 24, new HashSet<StatsDimension> { StatsDimension.Ip }, null, ct))
            .GroupBy(r => r.Vmta ?? "").ToDictionary(g => g.Key, g => g.Sum(r => r.Totals.Sent));
        // Today's quota is the engine's own per-IP rule (what admission and MailWizz's delivery servers use): a paused or
        // standby IP may send nothing.
        Ips = ips.Select(ip => new IpToday(IpResponse.From(ip, warmups.GetValueOrDefault(ip.Id) is { } w ? IpWarmupSummaries.Of(w, warmup) : null),
            SendingCapacity.DailyQuotaOf(ip, warmups.GetValueOrDefault(ip.Id), warmup), sentToday.GetValueOrDefault(ip.VmtaName))).ToList();
        ByState = IpStatuses.Names.ToDictionary(name => name, name => Ips.Count(i => i.Ip.Status == name));
        Expected = settings.IpsCount;
        Deliverability = await DeliverabilityWindow.LastDayAndWeekAsync(stats, warmup, null, now, ct);
        OpenAlerts = await db.Set<Alert>().AsNoTracking().Where(a => a.State == AlertState.Open)
            .OrderByDescending(a => a.Severity).ThenByDescending(a => a.LastSeenAt).Take(20).ToListAsync(ct);
        FailedPushes = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Failed, ct);
        FailedDeploys = await db.Set<Deployment>().AsNoTracking()
            .Where(d => d.Status == DeploymentStatus.Failed || d.Status == DeploymentStatus.RolledBack)
            .OrderByDescending(d => d.Id).Take(5).ToListAsync(ct);
        Listings = await db.Set<BlocklistListing>().AsNoTracking().Where(l => l.DelistedAt == null).OrderByDescending(l => l.ListedAt).Take(20).ToListAsync(ct);
    }
}
