using EmailEngine.Accounting;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Outbox;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Metrics;

public sealed record IpState(string Address, string Vmta, string Status);
public sealed record WarmupState(string Address, string Vmta, string Phase, int Day, int DailyQuota, IReadOnlyDictionary<string, int> GroupQuotas);
public sealed record ListingStateRow(string Target, string Zone, string Severity);
public sealed record OutboxDepth(string Kind, string Status, int Count);

/// <summary>What the gauges report, read from the database in one go (see <see cref="EngineStateReader"/>).</summary>
public sealed record EngineState(
    DateTimeOffset ReadAt,
    IReadOnlyList<IpState> Ips,
    IReadOnlyList<WarmupState> Warmups,
    IReadOnlyList<ListingStateRow> Listings,
    IReadOnlyDictionary<string, int> CheckerErrors,
    IReadOnlyList<OutboxDepth> Outbox,
    DateTimeOffset? OldestPending,
    DateTimeOffset? LastIngest,
    DateTimeOffset? LastDeploySuccess);

/// <summary>
/// The last state read, shared by the refresher and the gauges. A scrape only reads this reference: it never waits for
/// nor fails because of the database (a failed refresh keeps the previous state, whose age is reported).
/// </summary>
public sealed class EngineStateCache
{
    private volatile EngineState? _state;

    public EngineState? Current => _state;

    public void Set(EngineState state) => _state = state;
}

/// <summary>A handful of small aggregate queries; <c>done</c> outbox rows (the bulk of that table) are never counted.</summary>
public sealed class EngineStateReader(AppDbContext db, WarmupOptions warmupOptions, TimeProvider clock)
{
    public async Task<EngineState> ReadAsync(CancellationToken ct)
    {
        var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);
        var byId = ips.ToDictionary(i => i.Id);
        var warmups = (await db.Set<IpWarmup>().AsNoTracking().ToListAsync(ct))
            .Where(w => byId.ContainsKey(w.IpId))
            .Select(w => new WarmupState(byId[w.IpId].Address, byId[w.IpId].VmtaName, w.Phase.ToString().ToLowerInvariant(), w.SendingDay,
                WarmupPacing.DailyQuota(w), WarmupPacing.GroupQuotas(w, warmupOptions)))
            .ToList();
        var listings = (await db.Set<BlocklistListing>().AsNoTracking().Where(l => l.DelistedAt == null)
                .Select(l => new { l.Target, l.Zone, l.Severity }).ToListAsync(ct))
            .Select(l => new ListingStateRow(l.Target, l.Zone, l.Severity.ToString().ToLowerInvariant())).Distinct().ToList();
        var errors = await db.Set<BlocklistCheck>().AsNoTracking().Where(c => c.State == ListingState.Error)
            .GroupBy(c => c.Zone).Select(g => new { Zone = g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Zone, g => g.Count, ct);
        var outbox = (await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Status != OutboxStatus.Done)
                .GroupBy(m => new { m.Kind, m.Status, m.HeldForCapacity })
                .Select(g => new { g.Key.Kind, g.Key.Status, g.Key.HeldForCapacity, Count = g.Count() }).ToListAsync(ct))
            .Select(g => new OutboxDepth(g.Kind, g.HeldForCapacity ? "held" : g.Status.ToString().ToLowerInvariant(), g.Count))
            .GroupBy(d => (d.Kind, d.Status)).Select(g => new OutboxDepth(g.Key.Kind, g.Key.Status, g.Sum(d => d.Count))).ToList();
        // The oldest waiting push, as the health check counts it (held for capacity waits by design).
        var oldest = await db.Set<OutboxMessage>().AsNoTracking().InFlight()
            .MinAsync(m => (DateTimeOffset?)m.CreatedAt, ct);
        var lastIngest = await db.Set<AcctSource>().AsNoTracking().MaxAsync(s => (DateTimeOffset?)s.UpdatedAt, ct);
        var lastDeploy = await db.Set<Deployment>().AsNoTracking().Where(d => d.Status == DeploymentStatus.Succeeded)
            .OrderByDescending(d => d.Id).Select(d => d.FinishedAt).FirstOrDefaultAsync(ct);
        return new EngineState(clock.GetUtcNow(),
            ips.Select(i => new IpState(i.Address, i.VmtaName, IpStatuses.ToWire(i.Status))).ToList(),
            warmups, listings, errors, outbox, oldest, lastIngest, lastDeploy);
    }
}
