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

public sealed record CapacityView(long? DailyCapacity, long Admitted24h, long? Remaining, IReadOnlyList<IpCapacity> Ips, string Rule)
{
    public long Waiting { get; init; }
}

public sealed record IpCapacity(long IpId, string Ip, string Status, long DailyQuota);

/// <summary>
/// What the sending pool may send in any 24 hours, and how many new subscribers may enter MailWizz now. MailWizz fires a
/// welcome autoresponder on subscription, so the engine holds subscribers back rather than let PowerMTA's queues grow
/// past what the IPs may send: a backlog older than <c>bounce-after</c> would expire. Capacity is the sum of the
/// running warmups' daily quotas, plus <c>SENDING_ACTIVE_IP_DAILY</c> (20,000: the last step of the default plan) for
/// each active IP; paused, quarantined and standby IPs add nothing. Admissions are counted per hour and compared with
/// the last 24 hours. A subscriber that finds no room waits in a first-come, first-served queue: its push sleeps
/// (<see cref="Outbox.OutboxMessage.HeldForCapacity"/>, attempts untouched) until <see cref="ReleaseAsync"/> wakes as many of
/// the oldest as there is room for; while anyone waits, newcomers queue behind them. With no IP registered the engine
/// does not manage sending and holds nothing back.
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
            "new subscribers in any 24 hours ≤ the sum of the sending IPs' daily quotas (warming: today's plan quota; active: SENDING_ACTIVE_IP_DAILY)")
        {
            Waiting = await source.Set<Outbox.OutboxMessage>().CountAsync(m => m.HeldForCapacity && m.Status == Outbox.OutboxStatus.Pending, ct),
        };
    }

    /// <summary>
    /// Lets a push in, or queues it: a push that was not woken by the pump queues behind anyone already waiting, so
    /// the queue is served in order. Returns how many of <paramref name="wanted"/> subscribers may enter MailWizz now;
    /// 0 means the push was put to sleep (return <see cref="HeldBack"/>).
    /// </summary>
    public async Task<int> AdmitOrQueueAsync(Outbox.OutboxMessage message, int wanted, CancellationToken ct)
    {
        var woken = message.HeldForCapacity;
        var granted = !woken && await AnyoneWaitingAsync(message.Id, ct) ? 0 : await AdmitAsync(wanted, ct);
        message.HeldForCapacity = granted < wanted;
        return granted;
    }

    /// <summary>The deferral of a queued push: it sleeps until the pump wakes it (a week at most, then it looks again).</summary>
    public static Outbox.OutboxResult HeldBack(CapacityView view) => new Outbox.OutboxResult.Defer(
        $"held back by design: the sending pool may send {view.DailyCapacity:N0} in 24 h, {view.Admitted24h:N0} subscribers entered "
        + $"MailWizz in the last 24 h; waiting in line for room", TimeSpan.FromDays(7));

    /// <summary>
    /// Wakes the oldest waiting pushes, as many as there is room for today less those already woken and not yet run.
    /// Returns how many were woken.
    /// </summary>
    public async Task<int> ReleaseAsync(CancellationToken ct)
    {
        var view = await ViewAsync(ct);
        if (view.Waiting == 0)
            return 0;
        var now = clock.GetUtcNow();
        var waiting = db.Set<Outbox.OutboxMessage>().Where(m => m.HeldForCapacity && m.Status == Outbox.OutboxStatus.Pending);
        var awake = await waiting.CountAsync(m => m.NextAttemptAt <= now, ct);
        var room = (view.Remaining ?? view.Waiting) - awake;
        if (room <= 0)
            return 0;
        var ids = await waiting.Where(m => m.NextAttemptAt > now).OrderBy(m => m.Id).Select(m => m.Id).Take((int)Math.Min(room, 10_000)).ToListAsync(ct);
        return await db.Set<Outbox.OutboxMessage>().Where(m => ids.Contains(m.Id))
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.NextAttemptAt, now), ct);
    }

    private Task<bool> AnyoneWaitingAsync(long before, CancellationToken ct) =>
        db.Set<Outbox.OutboxMessage>().AnyAsync(m => m.HeldForCapacity && m.Id < before && m.Status == Outbox.OutboxStatus.Pending, ct);

    /// <summary>
    /// Reserves room for up to <paramref name="wanted"/> new subscribers and returns how many may enter MailWizz now.
    /// The reservation is committed before the caller pushes (a push that fails gives it back with
    /// <see cref="RefundAsync"/>), so concurrent pushes cannot all see the same room.
    /// </summary>
    private Task<int> AdmitAsync(int wanted, CancellationToken ct) => UnderLockAsync(async (own, view) =>
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

    private static DateTimeOffset HourOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
}

/// <summary>
/// Thin shell: every <c>ADMISSION_PUMP_SECONDS</c> (60) wakes the waiting pushes there is room for. Room opens as the
/// day's admissions leave the 24-hour window, and when an IP's quota grows or an IP starts sending.
/// </summary>
internal sealed class AdmissionPump(IServiceScopeFactory scopes, EngineSettings settings, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<AdmissionPump> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = int.TryParse(settings.Get("ADMISSION_PUMP_SECONDS"), out var value) && value > 0 ? value : 60;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (!(await migrator.GetStatusAsync(stoppingToken)).UpToDate)
                    continue;
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<SendingCapacity>().ReleaseAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Admission pump failed");
            }
        }
    }
}
