using System.Security.Cryptography;
using System.Text;
using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta.Deploy;

/// <summary>
/// <c>PMTA_RECONCILE_SECONDS</c> (60; 0 = off): how often what should be live is compared with what is;
/// <c>PMTA_RECONCILE_MAX_BACKOFF_SECONDS</c> (1800): the longest wait between failed attempts;
/// <c>PMTA_STOP_ALERT_MINUTES</c> (10): how long a paused or quarantined IP may stay in the live pool before it is an alert.
/// </summary>
public sealed record ReconcileOptions(TimeSpan Interval, TimeSpan MaxBackoff, TimeSpan StopAlertAfter)
{
    public static ReconcileOptions From(EngineSettings settings) => new(
        TimeSpan.FromSeconds(settings.Whole("PMTA_RECONCILE_SECONDS", 60, min: 0)),
        TimeSpan.FromSeconds(settings.Whole("PMTA_RECONCILE_MAX_BACKOFF_SECONDS", 1800, min: 1)),
        TimeSpan.FromMinutes(settings.Whole("PMTA_STOP_ALERT_MINUTES", 10, min: 0)));

    /// <summary>Interval × 2^(failures − 1), at most <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BackoffAfter(int failures) => Backoff.Doubling(Interval, failures, MaxBackoff);
}

/// <summary>A paused or quarantined IP that PowerMTA still sends from: the stop was decided but is not live.</summary>
public sealed record StaleStop(long IpId, string Ip, string Vmta, string Status, DateTimeOffset StoppedAt);

/// <summary>Where one host stands: the config that should be live against the one that is, and the retries so far.</summary>
public sealed record ConfigSyncState(string Host, bool InSync, string DesiredSha256, string? LiveSha256, long? LiveDeploymentId,
    DateTimeOffset CheckedAt, DateTimeOffset? OutOfSyncSince, int FailedAttempts, string? LastError, DateTimeOffset? NextAttemptAt,
    IReadOnlyList<StaleStop> StaleStops, bool SendingHeld, string? Note);

/// <summary>The reconciler's memory of one host between ticks (retries and backoff); the truth about what is live is in the deployments.</summary>
public sealed class ConfigSyncMemory
{
    public readonly Lock Gate = new();
    public DateTimeOffset? OutOfSyncSince;
    public int FailedAttempts;
    public string? LastError;
    public DateTimeOffset? NextAttemptAt;
    public readonly HashSet<long> AlertedStops = [];
    public ConfigSyncState? Last;
}

/// <summary>The reconciler's memory of every host, by host name.</summary>
public sealed class ConfigSyncMemories
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ConfigSyncMemory> _hosts = new(StringComparer.Ordinal);

    public ConfigSyncMemory Of(string host) => _hosts.GetOrAdd(host, _ => new ConfigSyncMemory());

    /// <summary>The last state of each host checked so far.</summary>
    public IReadOnlyList<ConfigSyncState> Latest() => _hosts.Values.Select(m => { lock (m.Gate) return m.Last; }).OfType<ConfigSyncState>()
        .OrderBy(s => s.Host, StringComparer.Ordinal).ToList();
}

/// <summary>
/// Limits that are decided are limits that are live: compares the hash of the config rendered now (the generation stamp
/// left out) with the last config a deployment made live on the host, and deploys until they match, backing off after
/// each failure (interval × 2ⁿ, capped) with the state visible at <c>GET /api/v1/pmta/sync</c>. A paused or quarantined
/// IP still in the live pool after <see cref="ReconcileOptions.StopAlertAfter"/> is logged as an error once. The
/// reconciler takes over a host only after a first successful deployment: before that the host's config is the
/// operator's (a V1 config to import), not the engine's to overwrite. Each host is compared, retried and backed off on
/// its own.
/// </summary>
public sealed class ConfigReconciler(AppDbContext db, PmtaRendering rendering, ConfigDeployer deployer, ISendingPoolObserver pool,
    ReconcileOptions options, ConfigSyncMemories memories, TimeProvider clock, ILogger<ConfigReconciler> logger)
{
    public const string Actor = "reconciler";

    /// <param name="deploy">False only reports (the API's view); the worker deploys when due.</param>
    public async Task<ConfigSyncState> CheckAsync(PmtaHostOptions host, bool deploy, CancellationToken ct)
    {
        var memory = memories.Of(host.Name);
        var bundle = await rendering.BundleAsync(host, ct);
        var desired = HashOf(bundle.ConfigText);
        var live = await LastLiveAsync(host, ct);
        var now = clock.GetUtcNow();
        if (host.Missing().Count > 0 || live is null)
            return Remember(memory, new ConfigSyncState(host.Name, false, desired, null, null, now, null, 0, null, null, [], false,
                host.Missing().Count > 0 ? $"no PowerMTA host configured ({string.Join(", ", host.Missing())})"
                    : "never deployed: the engine takes the host over after a first POST /api/v1/pmta/deploy"));

        var liveHash = HashOf(live.ConfigText);
        // A difference first seen now is most likely a decision or an operator's change whose own deployment is about to
        // start: deploying it here as well raced that deployment, which then met a busy host. The reconciler acts on a
        // difference that has outlived a check.
        bool seenBefore;
        lock (memory.Gate)
            seenBefore = memory.OutOfSyncSince is not null;
        if (liveHash != desired && deploy && seenBefore && Due(memory, now))
        {
            // A deployment in progress (a warmup decision's, an operator's) is not a failure: look again next tick.
            var attempt = await deployer.DeployIfIdleAsync(bundle, Actor, ct);
            if (attempt is { Status: DeploymentStatus.Succeeded or DeploymentStatus.Unchanged })
                (live, liveHash) = (attempt, desired);
            else if (attempt is not null)
                Failed(memory, attempt, now);
        }
        lock (memory.Gate)
        {
            if (liveHash == desired)
            {
                memory.OutOfSyncSince = null;
                memory.FailedAttempts = 0;
                memory.LastError = null;
                memory.NextAttemptAt = null;
            }
            else
                memory.OutOfSyncSince ??= now;
        }
        var stale = await StaleStopsAsync(host, memory, live.ConfigText, now, ct);
        // Also here, not only after deployments: a crash between a deployment and its alignment must not leave MailWizz held.
        if (deploy)
            await pool.AlignAsync(ct);
        var held = await pool.IsHeldAsync(ct);
        lock (memory.Gate)
            return Remember(memory, new ConfigSyncState(host.Name, liveHash == desired, desired, liveHash, live.Id, now, memory.OutOfSyncSince,
                memory.FailedAttempts, memory.LastError, memory.NextAttemptAt, stale, held, null));
    }

    /// <summary>The config's identity: its text without the generation stamp.</summary>
    public static string HashOf(string config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ConfigDeployer.WithoutStamp(config)!)));

    /// <summary>
    /// The IPs stopped by the engine or the operator (paused, quarantined) whose virtual MTA is still a member of the live
    /// pool longer than <see cref="ReconcileOptions.StopAlertAfter"/> after the stop.
    /// </summary>
    public static IReadOnlyList<StaleStop> StaleStops(IEnumerable<SendingIp> ips, string liveConfig, DateTimeOffset now, TimeSpan after)
    {
        var pool = RenderConfig.SendingPoolMembers(liveConfig);
        return ips.Where(ip => ip.Status is IpStatus.Paused or IpStatus.Quarantined && pool.Contains(ip.VmtaName) && now - ip.UpdatedAt >= after)
            .Select(ip => new StaleStop(ip.Id, ip.Address, ip.VmtaName, IpStatuses.ToWire(ip.Status), ip.UpdatedAt)).ToList();
    }

    private async Task<IReadOnlyList<StaleStop>> StaleStopsAsync(PmtaHostOptions host, ConfigSyncMemory memory, string liveConfig, DateTimeOffset now,
        CancellationToken ct)
    {
        var stopped = await Hosts.PmtaHostDirectory.OnHost(db.Set<SendingIp>().AsNoTracking(), host.Name)
            .Where(ip => ip.Status == IpStatus.Paused || ip.Status == IpStatus.Quarantined).ToListAsync(ct);
        var stale = StaleStops(stopped, liveConfig, now, options.StopAlertAfter);
        lock (memory.Gate)
        {
            foreach (var stop in stale.Where(s => memory.AlertedStops.Add(s.IpId)))
                logger.LogError("IP {Ip} ({Vmta}) is {Status} since {Since:u} but PowerMTA still sends from it: the deployment that removes it has not gone live ({Error})",
                    stop.Ip, stop.Vmta, stop.Status, stop.StoppedAt, memory.LastError ?? "not attempted yet");
            memory.AlertedStops.IntersectWith(stale.Select(s => s.IpId));
        }
        return stale;
    }

    private Task<Deployment?> LastLiveAsync(PmtaHostOptions host, CancellationToken ct) =>
        db.Set<Deployment>().AsNoTracking().Where(d => d.Host == host.Name && (d.Status == DeploymentStatus.Succeeded || d.Status == DeploymentStatus.Unchanged))
            .OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);

    private static bool Due(ConfigSyncMemory memory, DateTimeOffset now)
    {
        lock (memory.Gate)
            return memory.NextAttemptAt is not { } next || now >= next;
    }

    private void Failed(ConfigSyncMemory memory, Deployment attempt, DateTimeOffset now)
    {
        lock (memory.Gate)
        {
            memory.FailedAttempts++;
            memory.LastError = $"deployment {attempt.Id} {DeploymentStatuses.ToWire(attempt.Status)}: {attempt.Error}";
            memory.NextAttemptAt = now + options.BackoffAfter(memory.FailedAttempts);
            logger.LogWarning("PowerMTA config of {Host} not live after {Attempts} attempt(s): {Error}; next attempt at {Next:u}",
                attempt.Host, memory.FailedAttempts, memory.LastError, memory.NextAttemptAt);
        }
    }

    private static ConfigSyncState Remember(ConfigSyncMemory memory, ConfigSyncState state)
    {
        lock (memory.Gate)
            memory.Last = state;
        return state;
    }
}

/// <summary>Thin shell: every <see cref="ReconcileOptions.Interval"/>, each reachable host in turn (one engine instance at a time
/// per host: its deploy lock); a host that fails its check does not keep the others from theirs.</summary>
internal sealed class ConfigReconcileWorker(IServiceScopeFactory scopes, ReconcileOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<ConfigReconcileWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.Interval;

    protected override bool RunsAtStart => false;

    protected override string RoundName => "PowerMTA reconcile check";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var reconciler = scope.ServiceProvider.GetRequiredService<ConfigReconciler>();
        foreach (var host in await scope.ServiceProvider.GetRequiredService<Hosts.PmtaHostDirectory>().ConfiguredAsync(ct))
        {
            try
            {
                await reconciler.CheckAsync(host, deploy: true, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogError(e, "PowerMTA reconcile check of {Host} failed", host.Name);
            }
        }
    }
}
