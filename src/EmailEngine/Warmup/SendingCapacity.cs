using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Warmup;

/// <summary>
/// What used one pool's room for one recipient domain in one clock hour: subscribers let into MailWizz (each fires one
/// welcome mail through its tenant's pool) and deferrals PowerMTA logged there (each retry takes another turn of the
/// queue's pace).
/// </summary>
public sealed class AdmissionHour
{
    public DateTimeOffset Hour { get; set; }
    /// <summary>The PowerMTA pool (<c>pool-{tenant}</c>, <c>pool-all</c>…): a tenant's mail leaves through its pool alone, so room is counted per pool.</summary>
    public required string Pool { get; set; }
    /// <summary>The recipient domain: PowerMTA paces each domain's queue on its own, so room is counted per domain too.</summary>
    public required string Domain { get; set; }
    public int Admitted { get; set; }
    public int Deferred { get; set; }
}

internal sealed class AdmissionHourConfiguration : IEntityTypeConfiguration<AdmissionHour>
{
    public void Configure(EntityTypeBuilder<AdmissionHour> hour)
    {
        hour.ToTable("sending_admissions");
        hour.HasKey(h => new { h.Hour, h.Pool, h.Domain });
        hour.Property(h => h.Pool).HasMaxLength(Outbox.OutboxMessage.CapacityPoolMaxLength);
        hour.Property(h => h.Domain).HasMaxLength(255);
    }
}

public sealed record CapacityView(long? DailyCapacity, long Admitted24h, long? Remaining, IReadOnlyList<IpCapacity> Ips, string Rule)
{
    /// <summary>Deferrals PowerMTA logged in the last 24 hours: each retry takes room a new subscriber would have had.</summary>
    public long Deferred24h { get; init; }
    public long Waiting { get; init; }
    /// <summary>The same figures for each pool: what decides whether a subscriber enters MailWizz is its tenant's pool's room.</summary>
    public IReadOnlyList<PoolCapacity> Pools { get; init; } = [];
}

public sealed record IpCapacity(long IpId, string Ip, string Status, string Pool, long DailyQuota);

public sealed record PoolCapacity(string Pool, long DailyCapacity, long Admitted24h, long Deferred24h, long Remaining, long Waiting);

/// <summary>
/// What each sending pool may send in any 24 hours, and which new subscribers may enter MailWizz now. MailWizz fires a
/// welcome autoresponder on subscription, so the engine holds subscribers back rather than let PowerMTA's queues grow
/// past what the IPs may send: a backlog older than <c>bounce-after</c> would expire. A tenant's mail leaves through its
/// own pool only (<see cref="IpOwnership.PoolOfTenantAsync"/>), so room is counted per pool; within a pool it is counted twice, as
/// PowerMTA paces: in total (the running warmups' daily quotas, plus <c>SENDING_ACTIVE_IP_DAILY</c>, 20,000, per active
/// IP) and per recipient domain (the warmups' rate for that domain's queue: its share of its ISP group's quota, or the
/// <c>other</c> quota; an active IP adds its whole day), less <c>SENDING_DOMAIN_HEADROOM</c> (20 %) of it when the pool
/// has more than one sending IP. The headroom is there because PowerMTA hands a pool's mail to its IPs in turn,
/// whatever the domain: early in a warmup a domain's queue at one IP may send one or two a day, and a queue fed exactly
/// as fast as it drains has no bound on its backlog, so an unlucky IP would build one older than <c>bounce-after</c>.
/// Admissions and the deferrals the accounting reports (<see cref="DeferredAsync"/>: a retry takes a turn of the
/// same pace) are counted per hour, pool and domain and compared with the last 24 hours. A subscriber that finds no room
/// waits, first come first served within its pool and domain: its push sleeps
/// (<see cref="Outbox.OutboxMessage.HeldForCapacity"/>, attempts untouched) until <see cref="ReleaseAsync"/> wakes as
/// many of the oldest as there is room for. A pool whose tenant's campaigns MailWizz holds (<see cref="Campaigns.SendingHold"/>:
/// no IP may send, the tenant's own pool emptied, or the resume has not reached MailWizz yet) has no room: a welcome
/// could not leave. The other pools keep theirs; a tenant held in the shared pool holds it for the tenants sharing it,
/// as room is counted per pool. With no IP registered the engine does not manage sending and holds nothing back.
/// </summary>
public sealed class SendingCapacity(AppDbContext db, IServiceScopeFactory scopes, DatabaseTarget database, WarmupOptions options,
    TimeProvider clock) : IDeferralObserver
{
    /// <summary>One admission at a time in this process; PostgreSQL's table lock orders them across instances.</summary>
    private static readonly SemaphoreSlim LocalGate = new(1, 1);

    private static readonly string DefaultPoolName = IpOwnership.PoolName(IpOwnership.DefaultPool);

    /// <summary>The domain a recipient's mail is queued under in PowerMTA.</summary>
    public static string DomainOf(string email) => email[(email.LastIndexOf('@') + 1)..].Trim().ToLowerInvariant();

    public async Task<CapacityView> ViewAsync(CancellationToken ct)
    {
        var fleet = await FleetAsync(db, ct);
        var used = await db.Set<AdmissionHour>().AsNoTracking().Where(h => h.Hour >= WindowStart()).GroupBy(h => h.Pool)
            .Select(g => new { Pool = g.Key, Admitted = g.Sum(h => (long)h.Admitted), Deferred = g.Sum(h => (long)h.Deferred) })
            .ToDictionaryAsync(u => u.Pool, ct);
        var waiting = await db.Set<Outbox.OutboxMessage>().Where(m => m.HeldForCapacity && m.Status == Outbox.OutboxStatus.Pending)
            .GroupBy(m => m.CapacityPool ?? DefaultPoolName).Select(g => new { Pool = g.Key, Count = g.Count() }).ToDictionaryAsync(w => w.Pool, w => (long)w.Count, ct);
        var (admitted, deferred) = (used.Values.Sum(u => u.Admitted), used.Values.Sum(u => u.Deferred));
        if (!fleet.Managed)
            return new CapacityView(null, admitted, null, [], "no sending IP registered: the engine does not manage sending, so it holds nothing back")
                { Deferred24h = deferred, Waiting = waiting.Values.Sum() };
        var pools = fleet.Ips.Select(ip => ip.Pool).Concat(used.Keys).Concat(waiting.Keys).Distinct().Order(StringComparer.Ordinal).Select(pool =>
        {
            var (capacity, mine) = (fleet.CapacityOf(pool), used.GetValueOrDefault(pool));
            var (poolAdmitted, poolDeferred) = (mine?.Admitted ?? 0, mine?.Deferred ?? 0);
            return new PoolCapacity(pool, capacity, poolAdmitted, poolDeferred, fleet.Holds(pool) ? 0 : Math.Max(0, capacity - poolAdmitted - poolDeferred),
                waiting.GetValueOrDefault(pool));
        }).ToList();
        var total = fleet.Ips.Sum(ip => ip.DailyQuota);
        return new CapacityView(total, admitted, pools.Sum(p => p.Remaining), fleet.Ips,
            (fleet.HeldPools.Count > 0 ? $"MailWizz holds the campaigns of {string.Join(", ", fleet.HeldPools.Order(StringComparer.Ordinal))} (none of their IPs may send): nobody enters MailWizz there until they resume; otherwise " : "")
            + "new subscribers plus PowerMTA's deferrals in any 24 hours ≤ their tenant's pool's daily capacity, in total, and ≤ "
            + $"{1 - options.DomainHeadroom:P0} of it for their recipient domain when the pool has more than one sending IP (warming IPs: "
            + "today's plan quota and that domain's rate; active IPs: SENDING_ACTIVE_IP_DAILY)")
            { Deferred24h = deferred, Waiting = waiting.Values.Sum(), Pools = pools };
    }

    /// <summary>
    /// Lets a push's subscribers in, or queues the push: one not woken by the pump queues behind anyone already waiting
    /// in its pool for its first subscriber's domain. Returns which of <paramref name="emails"/> may enter MailWizz now
    /// (in order); when not all may, the push is marked to sleep (return <see cref="HeldBackAsync"/>) until room opens
    /// for the first one left out.
    /// </summary>
    public async Task<bool[]> AdmitOrQueueAsync(Outbox.OutboxMessage message, IReadOnlyList<string> emails, CancellationToken ct)
    {
        var domains = emails.Select(DomainOf).ToList();
        var pool = message.CapacityPool = await IpOwnership.PoolOfTenantAsync(db, message.TenantId, ct);
        var woken = message.HeldForCapacity;
        var granted = !woken && domains.Count > 0 && await AnyoneWaitingAsync(message.Id, pool, domains[0], ct)
            ? new bool[domains.Count]
            : await AdmitAsync(pool, domains, ct);
        var firstLeftOut = Array.IndexOf(granted, false);
        message.HeldForCapacity = firstLeftOut >= 0;
        message.CapacityDomain = firstLeftOut >= 0 ? domains[firstLeftOut] : null;
        return granted;
    }

    /// <summary>How the reason of a held push begins (a contact's <c>sync.last_error</c> while it waits for room).</summary>
    public const string HeldBackReason = "held back by design:";

    /// <summary>The deferral of a queued push: it sleeps until the pump wakes it (a week at most, then it looks again).</summary>
    public async Task<Outbox.OutboxResult> HeldBackAsync(Outbox.OutboxMessage message, CancellationToken ct)
    {
        var pool = message.CapacityPool ?? DefaultPoolName;
        var figures = (await ViewAsync(ct)).Pools.FirstOrDefault(p => p.Pool == pool) ?? new PoolCapacity(pool, 0, 0, 0, 0, 0);
        return new Outbox.OutboxResult.Defer(
            $"{HeldBackReason} no room today for {message.CapacityDomain ?? "these subscribers"} in {pool} (it may send {figures.DailyCapacity:N0} in 24 h; "
            + $"{figures.Admitted24h:N0} subscribers entered MailWizz and PowerMTA deferred {figures.Deferred24h:N0} in the last 24 h); waiting in line",
            TimeSpan.FromDays(7));
    }

    /// <summary>
    /// Wakes the oldest waiting pushes of each pool and domain, as many as there is room for (in the pool's total and for
    /// that domain) less those already woken and not yet run. Returns how many were woken.
    /// </summary>
    public async Task<int> ReleaseAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var waiting = db.Set<Outbox.OutboxMessage>().Where(m => m.HeldForCapacity && m.Status == Outbox.OutboxStatus.Pending);
        var lines = await waiting.GroupBy(m => new { Pool = m.CapacityPool ?? DefaultPoolName, Domain = m.CapacityDomain ?? "" })
            .Select(g => new { g.Key.Pool, g.Key.Domain, Oldest = g.Min(m => m.Id) }).ToListAsync(ct);
        if (lines.Count == 0)
            return 0;
        var woken = 0;
        var fleet = await FleetAsync(db, ct);
        foreach (var pool in lines.GroupBy(l => l.Pool))
        {
            var inPool = waiting.Where(m => (m.CapacityPool ?? DefaultPoolName) == pool.Key);
            var room = await RoomAsync(db, fleet, pool.Key, pool.Select(l => l.Domain).ToList(), ct);
            var totalLeft = room.Total - await inPool.CountAsync(m => m.NextAttemptAt <= now, ct);
            foreach (var domain in pool.OrderBy(l => l.Oldest).Select(l => l.Domain))
            {
                var mine = inPool.Where(m => (m.CapacityDomain ?? "") == domain);
                var left = Math.Min(totalLeft, room.ForDomain(domain) - await mine.CountAsync(m => m.NextAttemptAt <= now, ct));
                if (left <= 0)
                    continue;
                var ids = await mine.Where(m => m.NextAttemptAt > now).OrderBy(m => m.Id).Select(m => m.Id).Take((int)Math.Min(left, 10_000)).ToListAsync(ct);
                var count = await db.Set<Outbox.OutboxMessage>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, now), ct);
                woken += count;
                totalLeft -= count;
            }
        }
        return woken;
    }

    private Task<bool> AnyoneWaitingAsync(long before, string pool, string domain, CancellationToken ct) =>
        db.Set<Outbox.OutboxMessage>().AnyAsync(m => m.HeldForCapacity && m.Id < before && m.Status == Outbox.OutboxStatus.Pending
            && (m.CapacityPool ?? DefaultPoolName) == pool && m.CapacityDomain == domain, ct);

    /// <summary>
    /// Reserves room in <paramref name="pool"/> for the subscribers that fit, in order, and says which. The reservation is
    /// committed before the caller pushes (a push that fails gives it back with <see cref="RefundAsync"/>), so concurrent
    /// pushes cannot all see the same room.
    /// </summary>
    private Task<bool[]> AdmitAsync(string pool, IReadOnlyList<string> domains, CancellationToken ct) => UnderLockAsync(async own =>
    {
        var room = await RoomAsync(own, await FleetAsync(own, ct), pool, domains, ct);
        var granted = new bool[domains.Count];
        var used = new Dictionary<string, long>();
        var total = 0L;
        for (var i = 0; i < domains.Count; i++)
        {
            var domain = domains[i];
            if (total >= room.Total || used.GetValueOrDefault(domain) >= room.ForDomain(domain))
                continue;
            granted[i] = true;
            total++;
            used[domain] = used.GetValueOrDefault(domain) + 1;
        }
        foreach (var (domain, count) in used)
            await AddAsync(own, HourOf(clock.GetUtcNow()), pool, domain, admitted: (int)count, deferred: 0, ct);
        return granted;
    }, ct);

    /// <summary>Gives back the room <paramref name="message"/> reserved for subscribers that did not enter MailWizz after all.</summary>
    public Task RefundAsync(Outbox.OutboxMessage message, IEnumerable<string> emails, CancellationToken ct)
    {
        var counts = emails.GroupBy(DomainOf).ToDictionary(g => g.Key, g => g.Count());
        var pool = message.CapacityPool ?? DefaultPoolName;
        return counts.Count == 0 ? Task.CompletedTask : UnderLockAsync(async own =>
        {
            foreach (var (domain, count) in counts)
                await AddAsync(own, HourOf(clock.GetUtcNow()), pool, domain, admitted: -count, deferred: 0, ct);
            return Array.Empty<bool>();
        }, ct);
    }

    private async Task<T> UnderLockAsync<T>(Func<AppDbContext, Task<T>> action, CancellationToken ct)
    {
        await LocalGate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var transaction = await own.Database.BeginTransactionAsync(ct);
            await LockAsync(own, database, ct);
            var result = await action(own);
            await own.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            LocalGate.Release();
        }
    }

    private static Task LockAsync(AppDbContext db, DatabaseTarget database, CancellationToken ct) => database.Provider == DatabaseProvider.Postgres
        ? db.Database.ExecuteSqlRawAsync("LOCK TABLE sending_admissions IN SHARE ROW EXCLUSIVE MODE", ct)
        : Task.CompletedTask;

    private static async Task AddAsync(AppDbContext db, DateTimeOffset hour, string pool, string domain, int admitted, int deferred, CancellationToken ct)
    {
        if (await db.Set<AdmissionHour>().FindAsync([hour, pool, domain], ct) is { } row)
            (row.Admitted, row.Deferred) = (Math.Max(0, row.Admitted + admitted), row.Deferred + deferred);
        else if (admitted > 0 || deferred > 0)
            db.Add(new AdmissionHour { Hour = hour, Pool = pool, Domain = domain, Admitted = Math.Max(0, admitted), Deferred = deferred });
    }

    /// <summary>
    /// Charges PowerMTA's deferrals (<c>t</c> records) to the room of the pool of the virtual MTA that logged them, for their
    /// recipient domain, in the hour they were logged, inside the caller's transaction (the accounting ingest's, so a
    /// batch is charged once). Older ones have left the window; a virtual MTA the engine does not know counts for the
    /// default shared pool.
    /// </summary>
    public async Task DeferredAsync(IReadOnlyList<(DateTimeOffset At, string Vmta, string Domain)> deferrals, DateTimeOffset now, CancellationToken ct)
    {
        var recent = deferrals.Where(d => d.At >= WindowStartAt(now)).ToList();
        if (recent.Count == 0)
            return;
        var poolOf = (await db.Set<SendingIp>().AsNoTracking().Include(ip => ip.Tenant).ToListAsync(ct)).ToDictionary(ip => ip.VmtaName, ip => ip.PoolName);
        await LockAsync(db, database, ct);
        foreach (var hour in recent.GroupBy(d => (Hour: HourOf(d.At), Pool: poolOf.GetValueOrDefault(d.Vmta, DefaultPoolName), d.Domain)))
            await AddAsync(db, hour.Key.Hour, hour.Key.Pool, hour.Key.Domain, admitted: 0, deferred: hour.Count(), ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// What one IP may send in any 24 hours: a warming IP its running warmup's quota today, an active IP
    /// <c>SENDING_ACTIVE_IP_DAILY</c>, any other IP (or a warmup that is paused) nothing.
    /// </summary>
    public static int DailyQuotaOf(SendingIp ip, IpWarmup? warmup, WarmupOptions options) => ip.Status switch
    {
        IpStatus.Active => options.ActiveIpDaily,
        IpStatus.Warming when warmup is { Phase: WarmupPhase.Running } => WarmupPacing.DailyQuota(warmup),
        _ => 0,
    };

    /// <summary>The sending IPs (warming or active) with their quotas and pools, and the pools whose campaigns MailWizz holds.</summary>
    private sealed record Fleet(bool Managed, List<IpCapacity> Ips, List<(string Pool, IpWarmup Warmup)> Warming, IReadOnlySet<string> HeldPools)
    {
        public long CapacityOf(string pool) => Ips.Where(ip => ip.Pool == pool).Sum(ip => ip.DailyQuota);

        /// <summary>A welcome could not leave a held pool: it admits nobody.</summary>
        public bool Holds(string pool) => HeldPools.Contains(pool);
    }

    private async Task<Fleet> FleetAsync(AppDbContext source, CancellationToken ct)
    {
        var ips = await source.Set<SendingIp>().AsNoTracking().Include(ip => ip.Tenant).Where(ip => ip.Status == IpStatus.Warming || ip.Status == IpStatus.Active)
            .OrderBy(ip => ip.Id).ToListAsync(ct);
        var warmups = await source.Set<IpWarmup>().AsNoTracking().Where(w => w.Phase == WarmupPhase.Running).ToDictionaryAsync(w => w.IpId, ct);
        var perIp = ips.Select(ip => new IpCapacity(ip.Id, ip.Address, IpStatuses.ToWire(ip.Status), ip.PoolName,
            DailyQuotaOf(ip, warmups.GetValueOrDefault(ip.Id), options))).ToList();
        var managed = await source.Set<SendingIp>().AnyAsync(ip => ip.Status != IpStatus.Retired, ct);
        // The pools of the tenants whose campaigns the sending hold paused in MailWizz (not the operator): every tenant's
        // when no IP may send, one tenant's when its own pool emptied. The others' subscribers still go in: one tenant's
        // quarantined IP must not stop another tenant's welcomes.
        var heldTenants = await source.Set<Campaigns.Campaign>().Where(c => c.MailWizzPaused && !c.Paused).Select(c => c.TenantId).Distinct().ToListAsync(ct);
        var heldPools = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tenant in heldTenants)
            heldPools.Add(await IpOwnership.PoolOfTenantAsync(source, tenant, ct));
        return new Fleet(managed, perIp, ips.Where(ip => ip.Status == IpStatus.Warming && warmups.ContainsKey(ip.Id)).Select(ip => (ip.PoolName, warmups[ip.Id])).ToList(), heldPools);
    }

    private sealed record Room(long Total, IReadOnlyDictionary<string, long> Domains)
    {
        public long ForDomain(string domain) => Domains.GetValueOrDefault(domain, long.MaxValue);
    }

    /// <summary>What is left of <paramref name="pool"/>'s last 24 hours' capacity, in total and for each of <paramref name="domains"/>.</summary>
    private async Task<Room> RoomAsync(AppDbContext source, Fleet fleet, string pool, IReadOnlyList<string> domains, CancellationToken ct)
    {
        if (!fleet.Managed)
            return new Room(long.MaxValue, new Dictionary<string, long>());
        var distinct = domains.Distinct().ToList();
        if (fleet.Holds(pool))
            return new Room(0, distinct.ToDictionary(d => d, _ => 0L));
        var from = WindowStart();
        var used = await source.Set<AdmissionHour>().AsNoTracking().Where(h => h.Hour >= from && h.Pool == pool)
            .GroupBy(h => h.Domain).Select(g => new { Domain = g.Key, Count = g.Sum(h => (long)h.Admitted + h.Deferred) }).ToDictionaryAsync(g => g.Domain, g => g.Count, ct);
        var ips = fleet.Ips.Where(ip => ip.Pool == pool).ToList();
        var warming = fleet.Warming.Where(w => w.Pool == pool).Select(w => w.Warmup).ToList();
        var activeIps = ips.Count(ip => ip.Status == IpStatuses.ToWire(IpStatus.Active));
        var headroom = HeadroomOf(ips);
        var perDomain = distinct.ToDictionary(d => d, d => (long)Math.Floor(
            (warming.Sum(w => (long)DomainQuota(w, d)) + activeIps * (long)options.ActiveIpDaily) * (1 - headroom)) - used.GetValueOrDefault(d));
        return new Room(ips.Sum(ip => ip.DailyQuota) - used.Values.Sum(), perDomain);
    }

    /// <summary>With one sending IP PowerMTA has no choice to make, so no queue gets more than its share: no headroom.</summary>
    private double HeadroomOf(IReadOnlyList<IpCapacity> pool) => pool.Count(ip => ip.DailyQuota > 0) > 1 ? options.DomainHeadroom : 0;

    /// <summary>A warming IP's rate for a domain's queue today, as rendered (see <see cref="WarmupPacing.LimitsOf(IpWarmup, WarmupOptions)"/>).</summary>
    private int DomainQuota(IpWarmup warmup, string domain)
    {
        var group = Deliverability.IspGroups.Of(domain);
        var quota = WarmupPacing.GroupQuota(warmup, group, options);
        return group == Deliverability.IspGroup.Other ? quota
            : WarmupPacing.SplitOverDomains(group, quota).FirstOrDefault(p => p.Domain == domain).Quota;
    }

    /// <summary>Whole hours: the hour that contains "24 hours ago" counts entirely, so the window errs on the side of waiting.</summary>
    private DateTimeOffset WindowStart() => WindowStartAt(clock.GetUtcNow());

    private static DateTimeOffset WindowStartAt(DateTimeOffset now) => HourOf(now.AddHours(-24));

    private static DateTimeOffset HourOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
}

/// <summary>
/// Thin shell: every <c>ADMISSION_PUMP_SECONDS</c> (60) wakes the waiting pushes there is room for. Room opens as the
/// day's admissions leave the 24-hour window, and when an IP's quota grows or an IP starts sending.
/// </summary>
internal sealed class AdmissionPump(IServiceScopeFactory scopes, WarmupOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<AdmissionPump> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.AdmissionPumpInterval;

    protected override bool RunsAtStart => false;

    protected override string RoundName => "Admission pump";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendingCapacity>().ReleaseAsync(ct);
    }
}
