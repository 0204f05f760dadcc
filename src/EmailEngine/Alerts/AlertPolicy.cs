using EmailEngine.Hosting;

namespace EmailEngine.Alerts;

/// <summary>
/// <c>ALERT_REMIND_HOURS</c> (24; 0 = never): how often an open alert is sent again. <c>ALERT_SEND_SECONDS</c> (10): how
/// often queued messages are sent. <c>ALERT_HEALTH_SECONDS</c> (60; 0 = off): how often the health checks are turned into
/// alerts. <c>ALERT_RETRY_SECONDS</c> (10): the first wait after a channel failed, doubled at each failure up to 30 min.
/// </summary>
public sealed record AlertPolicy(TimeSpan RemindAfter, TimeSpan SendInterval, TimeSpan HealthInterval, TimeSpan RetryBase)
{
    public static AlertPolicy From(EngineSettings settings) => new(
        TimeSpan.FromHours(settings.Whole("ALERT_REMIND_HOURS", 24, min: 0)),
        TimeSpan.FromSeconds(settings.Whole("ALERT_SEND_SECONDS", 10, min: 1)),
        TimeSpan.FromSeconds(settings.Whole("ALERT_HEALTH_SECONDS", 60, min: 0)),
        TimeSpan.FromSeconds(settings.Whole("ALERT_RETRY_SECONDS", 10, min: 1)));
}
