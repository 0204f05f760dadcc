using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.PowerMta.Status;

/// <summary>
/// <c>powermta-status</c>: unhealthy while a host is unreachable (<see cref="PmtaStatusOptions.FailuresBeforeUnreachable"/>
/// failed reads in a row), degraded while a queue is at or above the alert threshold; the description has a reason per
/// host. Reads the poller's memory only.
/// </summary>
internal sealed class PmtaStatusHealthCheck(PmtaStatusMemory memory, PmtaStatusOptions options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var states = memory.Latest();
        if (states.Count == 0)
            return Task.FromResult(HealthCheckResult.Healthy(options.Enabled ? "no PowerMTA host read yet" : "PowerMTA status is not read (PMTA_STATUS_SECONDS=0)"));
        var data = states.ToDictionary(s => s.Host, s => (object)new Dictionary<string, object?>
        {
            ["up"] = s.Up, ["failures"] = s.Failures, ["last_error"] = s.LastError, ["queue_recipients"] = s.Status?.QueuedRecipients,
            ["queue_domains"] = s.Status?.QueuedDomains, ["smtp_out"] = s.Status?.SmtpOut, ["smtp_in"] = s.Status?.SmtpIn,
            ["last_hour_out"] = s.Status?.LastHourOut, ["last_hour_in"] = s.Status?.LastHourIn,
        });
        var unreachable = states.Where(s => s.Unreachable).Select(s => $"{s.Host}: unreachable after {s.Failures} failed reads ({s.LastError})").ToList();
        var queues = states.Where(s => s.Up && s.QueueHigh)
            .Select(s => $"{s.Host}: {s.Status!.QueuedRecipients} recipients queued (threshold {options.QueueAlertRecipients})").ToList();
        var reasons = string.Join("; ", unreachable.Concat(queues));
        return Task.FromResult(unreachable.Count > 0 ? HealthCheckResult.Unhealthy(reasons, data: data)
            : queues.Count > 0 ? HealthCheckResult.Degraded(reasons, data: data)
            : HealthCheckResult.Healthy($"{states.Count(s => s.Up)} of {states.Count} PowerMTA host(s) answered their last read", data));
    }
}
