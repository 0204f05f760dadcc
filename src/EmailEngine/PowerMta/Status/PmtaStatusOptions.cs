using EmailEngine.Hosting;

namespace EmailEngine.PowerMta.Status;

/// <summary>
/// <c>PMTA_STATUS_SECONDS</c> (60; 0 = off): how often each PowerMTA host's <c>/status</c> is read;
/// <c>PMTA_STATUS_FAILURES</c> (3): consecutive failed reads that make a host unreachable;
/// <c>PMTA_QUEUE_ALERT_RECIPIENTS</c> (50000): queued recipients from which a host's queue is an alert. Each host's
/// management port is the host's own (<see cref="Deploy.PmtaHostOptions.MgmtPort"/>).
/// </summary>
public sealed record PmtaStatusOptions(TimeSpan Interval, int FailuresBeforeUnreachable, long QueueAlertRecipients)
{
    public static PmtaStatusOptions From(EngineSettings settings) => new(
        TimeSpan.FromSeconds(settings.Whole("PMTA_STATUS_SECONDS", 60, min: 0)),
        settings.Whole("PMTA_STATUS_FAILURES", 3, min: 1),
        settings.Whole("PMTA_QUEUE_ALERT_RECIPIENTS", 50000, min: 1));

    public bool Enabled => Interval > TimeSpan.Zero;
}
