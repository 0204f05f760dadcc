using EmailEngine.Accounting;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Outbox;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.Health;

/// <summary>
/// When the engine's own state needs a hand: <c>HEALTH_OUTBOX_AGE_MINUTES</c> (30), the oldest push to MailWizz that may
/// wait before it is a problem (pushes held back for sending capacity wait by design and are not counted);
/// <c>HEALTH_ACCT_LAG_MINUTES</c> (30), how old the last complete accounting pull may be; <c>HEALTH_WARMUP_LATE_MINUTES</c>
/// (120), how long a due warmup decision may wait. (<c>DNS_CHECK_HOURS</c> belongs to the DNS check, <c>Dkim/DnsCheckOptions</c>.)
/// </summary>
public sealed record OperationsHealthOptions(TimeSpan OutboxAge, TimeSpan AcctLag, TimeSpan WarmupLate)
{
    public static OperationsHealthOptions From(EngineSettings settings) => new(
        TimeSpan.FromMinutes(settings.Whole("HEALTH_OUTBOX_AGE_MINUTES", 30, min: 1)),
        TimeSpan.FromMinutes(settings.Whole("HEALTH_ACCT_LAG_MINUTES", 30, min: 1)),
        TimeSpan.FromMinutes(settings.Whole("HEALTH_WARMUP_LATE_MINUTES", 120, min: 1)));
}

/// <summary>Pushes to MailWizz: failed ones need a hand; pending ones older than the threshold mean MailWizz is not taking them.</summary>
internal sealed class OutboxHealthCheck(AppDbContext db, OperationsHealthOptions options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var waiting = db.Set<OutboxMessage>().InFlight();
        var pending = await waiting.CountAsync(ct);
        var oldest = pending == 0 ? (DateTimeOffset?)null : await waiting.MinAsync(m => (DateTimeOffset?)m.CreatedAt, ct);
        var failed = await db.Set<OutboxMessage>().CountAsync(m => m.Status == OutboxStatus.Failed, ct);
        var age = oldest is null ? TimeSpan.Zero : clock.GetUtcNow() - oldest.Value;
        var data = new Dictionary<string, object> { ["pending"] = pending, ["oldest_pending_seconds"] = (long)age.TotalSeconds, ["failed"] = failed };
        return failed > 0 ? HealthCheckResult.Degraded($"{failed} push(es) to MailWizz failed: retry them (POST /api/v1/outbox/retry-failed) once the cause is fixed", data: data)
            : age > options.OutboxAge ? HealthCheckResult.Degraded($"the oldest push to MailWizz has waited {age.TotalMinutes:F0} min", data: data)
            : HealthCheckResult.Healthy($"{pending} push(es) pending", data);
    }
}

/// <summary>Accounting: the warmup decides on outcomes the engine has read; a stale pull leaves it deciding blind (it waits).</summary>
internal sealed class AccountingHealthCheck(AcctPullRun pull, OperationsHealthOptions options, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!pull.Configured)
            return Task.FromResult(HealthCheckResult.Healthy("accounting is not pulled from a PowerMTA host (uploads only)"));
        var lag = clock.GetUtcNow() - pull.LastCompleteFrom;
        var data = new Dictionary<string, object> { ["lag_seconds"] = (long)lag.TotalSeconds };
        return Task.FromResult(lag > options.AcctLag
            ? HealthCheckResult.Degraded($"the last complete accounting pull started {lag.TotalMinutes:F0} min ago", data: data)
            : HealthCheckResult.Healthy("accounting pulled", data));
    }
}

/// <summary>PowerMTA: what should be live is live (the reconciler's last comparison), and the last deployment worked.</summary>
internal sealed class DeployHealthCheck(AppDbContext db, ConfigSyncMemories sync) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var last = await db.Set<Deployment>().Where(d => d.Status != DeploymentStatus.DryRun && d.Status != DeploymentStatus.Running)
            .OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);
        var states = sync.Latest();
        var data = new Dictionary<string, object>();
        if (last is not null)
            (data["last_deployment_id"], data["last_deployment_status"]) = (last.Id, DeploymentStatuses.ToWire(last.Status));
        if (states.Count > 0)
            data["in_sync"] = states.All(s => s.InSync);
        if (last is { Status: DeploymentStatus.Failed or DeploymentStatus.RolledBack })
            return HealthCheckResult.Degraded($"the last PowerMTA deployment ({last.Id}, host {last.Host}) {DeploymentStatuses.ToWire(last.Status)}: {last.Error}", data: data);
        if (states.FirstOrDefault(s => !s.InSync) is { } state)
            return HealthCheckResult.Degraded($"PowerMTA{(states.Count > 1 ? $" on {state.Host}" : "")} does not run the config the engine rendered{(state.LastError is null ? "" : $": {state.LastError}")}", data: data);
        return HealthCheckResult.Healthy(last is null ? "nothing deployed yet" : $"deployment {last.Id} {DeploymentStatuses.ToWire(last.Status)}", data);
    }
}

/// <summary>Warmup: a day's decision that is due long after its period began means the worker is not taking them.</summary>
internal sealed class WarmupHealthCheck(WarmupEngine engine, WarmupOptions warmup, OperationsHealthOptions options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var late = now - warmup.PeriodStart(now);
        return await engine.DayDecisionDueAsync(ct) && late > options.WarmupLate
            ? HealthCheckResult.Degraded($"today's warmup decisions are still due {late.TotalMinutes:F0} min after the day began (is the accounting pulled?)")
            : HealthCheckResult.Healthy("warmup decisions taken");
    }
}

/// <summary>Blocklists: a critical listing needs the operator (delisting request, cause); checker errors need the checker fixed.</summary>
internal sealed class BlocklistHealthCheck(AppDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var open = await db.Set<BlocklistListing>().Where(l => l.DelistedAt == null).ToListAsync(ct);
        var errors = await db.Set<BlocklistCheck>().Where(c => c.State == ListingState.Error).Select(c => c.Zone).Distinct().ToListAsync(ct);
        var data = new Dictionary<string, object> { ["open_listings"] = open.Count, ["zones_in_error"] = errors };
        var critical = open.Where(l => l.Severity == ListingSeverity.Critical).Select(l => $"{l.Target} on {l.Zone}").ToList();
        return critical.Count > 0 ? HealthCheckResult.Unhealthy($"critical listing(s): {string.Join(", ", critical)}", data: data)
            : errors.Count > 0 ? HealthCheckResult.Degraded($"checker errors on {string.Join(", ", errors)}: answers from these zones cannot be trusted", data: data)
            : HealthCheckResult.Healthy($"{open.Count} non-critical listing(s)", data);
    }
}
