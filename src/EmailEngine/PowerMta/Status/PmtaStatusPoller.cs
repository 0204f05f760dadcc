using EmailEngine.Alerts;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;

namespace EmailEngine.PowerMta.Status;

/// <summary>
/// One round of PowerMTA watching: each reachable host's <c>/status</c> is read (<see cref="PmtaStatusReader"/>) and
/// remembered; <see cref="PmtaStatusOptions.FailuresBeforeUnreachable"/> failed reads in a row open the critical alert
/// <c>pmta-status:HOST:unreachable</c>, a queue of <see cref="PmtaStatusOptions.QueueAlertRecipients"/> recipients or
/// more the warning <c>pmta-status:HOST:queue</c>; each is resolved by the first read that no longer shows its cause.
/// A failed read says nothing about the queue, so it leaves the queue alert as it is.
/// </summary>
public sealed class PmtaStatusPoller(PmtaHostDirectory hosts, PmtaStatusReader reader, PmtaStatusMemory memory, PmtaStatusOptions options,
    AlertCenter alerts, AppDbContext db, TimeProvider clock, ILogger<PmtaStatusPoller> logger)
{
    public const string AlertPrefix = "pmta-status:";

    public static string UnreachableKey(string host) => $"{AlertPrefix}{host}:unreachable";

    public static string QueueKey(string host) => $"{AlertPrefix}{host}:queue";

    public async Task RunAsync(CancellationToken ct)
    {
        var polled = await hosts.ConfiguredAsync(ct);
        var names = polled.Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        memory.KeepOnly(names);
        foreach (var host in polled)
            await PollAsync(host, ct);
        // A host deleted or no longer configured is not watched: what was open about it is closed.
        foreach (var key in await alerts.OpenKeysAsync(AlertPrefix, ct))
            if (!names.Contains(key[AlertPrefix.Length..key.LastIndexOf(':')]))
                await alerts.ResolveAsync(key, "the host is no longer watched (deleted, or its SSH settings are gone)", ct);
        await db.SaveChangesAsync(ct);
    }

    private async Task PollAsync(PmtaHostOptions host, CancellationToken ct)
    {
        var before = memory.Of(host.Name);
        var now = clock.GetUtcNow();
        try
        {
            var status = await reader.ReadAsync(host, ct);
            var queueHigh = status.QueuedRecipients >= options.QueueAlertRecipients;
            memory.Remember(new PmtaStatusState(host.Name, now, status, 0, false, null, now, queueHigh));
            await alerts.ResolveAsync(UnreachableKey(host.Name), $"PowerMTA on {host.Name} answers again", ct);
            if (queueHigh)
                await alerts.RaiseAsync(QueueKey(host.Name), AlertSeverity.Warning, $"PowerMTA on {host.Name}: {status.QueuedRecipients} recipients queued",
                    $"{status.QueuedRecipients} recipients in {status.QueuedDomains} domain(s) wait in PowerMTA's queue on {host.Name} " +
                    $"(alert from PMTA_QUEUE_ALERT_RECIPIENTS={options.QueueAlertRecipients}); {status.SmtpOut} outbound connection(s) open, " +
                    $"{status.LastHourOut} recipients sent in the last hour. Look at its queues (GET /queues on the management port) for deferrals.", ct);
            else
                await alerts.ResolveAsync(QueueKey(host.Name), $"PowerMTA on {host.Name}: {status.QueuedRecipients} recipients queued", ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var failures = (before?.Failures ?? 0) + 1;
            var unreachable = failures >= options.FailuresBeforeUnreachable;
            memory.Remember(new PmtaStatusState(host.Name, now, null, failures, unreachable, e.Message, before?.LastAnsweredAt, before?.QueueHigh ?? false));
            // The first failure and the one that makes the host unreachable are news; the ones between are not.
            logger.Log(failures == 1 || failures == options.FailuresBeforeUnreachable ? LogLevel.Warning : LogLevel.Debug,
                "PowerMTA status of {Host}: read {Failures} failed in a row: {Error}", host.Name, failures, e.Message);
            if (unreachable)
                await alerts.RaiseAsync(UnreachableKey(host.Name), AlertSeverity.Critical, $"PowerMTA on {host.Name} is unreachable",
                    $"{failures} reads in a row of its status (SSH to {host.Host}:{host.Port}, then its management port {host.MgmtPort}) failed " +
                    $"(alert from PMTA_STATUS_FAILURES={options.FailuresBeforeUnreachable}); last answer {Since(before?.LastAnsweredAt)}. Last error: {e.Message}", ct);
        }
    }

    private static string Since(DateTimeOffset? at) => at is { } answered ? $"at {answered:u}" : "never since the engine started";
}

/// <summary>Thin shell: every <see cref="PmtaStatusOptions.Interval"/>, one <see cref="PmtaStatusPoller"/> round.</summary>
internal sealed class PmtaStatusWorker(IServiceScopeFactory scopes, PmtaStatusOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<PmtaStatusWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.Interval;

    protected override string RoundName => "PowerMTA status poll";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PmtaStatusPoller>().RunAsync(ct);
    }
}
