using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Warmup;

/// <summary>Subscribers let into MailWizz in one clock hour (each fires one welcome mail).</summary>
public sealed class AdmissionHour
{
    public DateTimeOffset Hour { get; set; }
    public int Admitted { get; set; }
}

internal sealed class AdmissionHourConfiguration : IEntityTypeConfiguration<AdmissionHour>
{
    public void Configure(EntityTypeBuilder<AdmissionHour> hour)
    {
        hour.ToTable("sending_admissions");
        hour.HasKey(h => h.Hour);
    }
}

public sealed record CapacityView(long? DailyCapacity, long Admitted24h, long? Remaining, IReadOnlyList<IpCapacity> Ips, string Rule);

public sealed record IpCapacity(long IpId, string Ip, string Status, long DailyQuota);

/// <summary>
/// What the sending pool may send in any 24 hours, and how many new subscribers may enter MailWizz now. MailWizz fires a
/// welcome autoresponder on subscription, so the engine holds subscribers back rather than let PowerMTA's queues grow
/// past what the IPs may send: a backlog older than <c>bounce-after</c> would expire. Capacity is the sum of the
/// running warmups' daily quotas, plus <c>SENDING_ACTIVE_IP_DAILY</c> (20,000: the last step of the default plan) for
/// each active IP; paused, quarantined and standby IPs add nothing. Admissions are counted per hour and compared with
/// the last 24 hours, so a held subscriber waits (as a deferred push, attempts untouched) until the pool has room. With
/// no IP registered the engine does not manage sending and holds nothing back.
/// </summary>
public sealed class SendingCapacity(AppDbContext db, IServiceScopeFactory scopes, DatabaseTarget database, EngineSettings settings, TimeProvider clock)
{
    /// <summary>One admission at a time in this process; PostgreSQL's table lock orders them across instances.</summary>
    private static readonly SemaphoreSlim LocalGate = new(1, 1);

    private long ActiveIpDaily => long.TryParse(settings.Get("SENDING_ACTIVE_IP_DAILY"), out var value) && value > 0 ? value : 20_000;

    public Task<CapacityView> ViewAsync(CancellationToken ct) => ViewAsync(db, ct);

    private async Task<CapacityView> ViewAsync(AppDbContext source, CancellationToken ct)
    {
        var ips = await source.Set<SendingIp>().AsNoTracking().Where(ip => ip.Status == IpStatus.Warming || ip.Status == IpStatus.Active)
            .OrderBy(ip => ip.Id).ToListAsync(ct);
        var warmups = await source.Set<IpWarmup>().AsNoTracking().Where(w => w.Phase == WarmupPhase.Running).ToDictionaryAsync(w => w.IpId, ct);
        var perIp = ips.Select(ip => new IpCapacity(ip.Id, ip.Address, IpStatuses.ToWire(ip.Status),
            ip.Status == IpStatus.Active ? ActiveIpDaily : warmups.TryGetValue(ip.Id, out var w) ? WarmupPacing.DailyQuota(w) : 0L)).ToList();
        // Whole hours: the hour that contains "24 hours ago" counts entirely, so the window errs on the side of waiting.
        var from = HourOf(clock.GetUtcNow().AddHours(-24));
        var admitted = await source.Set<AdmissionHour>().AsNoTracking().Where(h => h.Hour >= from).SumAsync(h => (long)h.Admitted, ct);
        if (!await source.Set<SendingIp>().AnyAsync(ip => ip.Status != IpStatus.Retired, ct))
            return new CapacityView(null, admitted, null, [], "no sending IP registered: the engine does not manage sending, so it holds nothing back");
        var capacity = perIp.Sum(ip => ip.DailyQuota);
        return new CapacityView(capacity, admitted, Math.Max(0, capacity - admitted), perIp,
            "new subscribers in any 24 hours ≤ the sum of the sending IPs' daily quotas (warming: today's plan quota; active: SENDING_ACTIVE_IP_DAILY)");
    }

    /// <summary>
    /// Reserves room for up to <paramref name="wanted"/> new subscribers and returns how many may enter MailWizz now.
    /// The reservation is committed before the caller pushes (a push that fails gives it back with
    /// <see cref="RefundAsync"/>), so concurrent pushes cannot all see the same room.
    /// </summary>
    public Task<int> AdmitAsync(int wanted, CancellationToken ct) => UnderLockAsync(async (own, view) =>
    {
        var granted = (int)Math.Min(wanted, view.Remaining ?? wanted);
        if (granted > 0)
            await AddAsync(own, granted, ct);
        return granted;
    }, ct);

    /// <summary>Gives back room reserved for subscribers that did not enter MailWizz after all.</summary>
    public Task RefundAsync(int count, CancellationToken ct) => count <= 0 ? Task.CompletedTask : UnderLockAsync(async (own, _) =>
    {
        await AddAsync(own, -count, ct);
        return 0;
    }, ct);

    private async Task<int> UnderLockAsync(Func<AppDbContext, CapacityView, Task<int>> action, CancellationToken ct)
    {
        await LocalGate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var own = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var transaction = await own.Database.BeginTransactionAsync(ct);
            if (database.Provider == DatabaseProvider.Postgres)
                await own.Database.ExecuteSqlRawAsync("LOCK TABLE sending_admissions IN SHARE ROW EXCLUSIVE MODE", ct);
            var result = await action(own, await ViewAsync(own, ct));
            await own.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return result;
        }
        finally
        {
            LocalGate.Release();
        }
    }

    private async Task AddAsync(AppDbContext own, int count, CancellationToken ct)
    {
        var hour = HourOf(clock.GetUtcNow());
        if (await own.Set<AdmissionHour>().FindAsync([hour], ct) is { } row)
            row.Admitted = Math.Max(0, row.Admitted + count);
        else if (count > 0)
            own.Add(new AdmissionHour { Hour = hour, Admitted = count });
    }

    /// <summary>When the oldest admission of the last 24 hours leaves the window: room opens then at the latest (5 min to 1 h).</summary>
    public async Task<TimeSpan> UntilRoomAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var oldest = await db.Set<AdmissionHour>().AsNoTracking().Where(h => h.Hour > now.AddHours(-25)).OrderBy(h => h.Hour)
            .Select(h => (DateTimeOffset?)h.Hour).FirstOrDefaultAsync(ct);
        var wait = oldest is { } first ? first.AddHours(25) - now : TimeSpan.FromHours(1);
        return wait < TimeSpan.FromMinutes(5) ? TimeSpan.FromMinutes(5) : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait;
    }

    private static DateTimeOffset HourOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
}
