using System.Diagnostics.Metrics;
using EmailEngine.Accounting;
using EmailEngine.PowerMta.Deploy;

namespace EmailEngine.Metrics;

/// <summary>
/// Observable gauges over <see cref="EngineStateCache"/> and in-memory state (accounting pull, config sync, PowerMTA's status): a scrape
/// reads memory only. Nothing is reported before the first refresh.
/// </summary>
public sealed class StateGauges
{
    private readonly EngineStateCache _cache;
    private readonly TimeProvider _clock;

    public StateGauges(EngineMetrics metrics, EngineStateCache cache, AcctPullRun pull, ConfigSyncMemories sync, MailWizz.MailWizzCircuit circuit,
        PowerMta.Status.PmtaStatusMemory pmta, TimeProvider clock)
    {
        (_cache, _clock) = (cache, clock);
        var meter = metrics.Meter;
        meter.CreateObservableGauge(MetricNames.IpInfo, () => From(s => s.Ips.Select(ip =>
            Measure(1, ("ip", ip.Address), ("vmta", ip.Vmta), ("status", ip.Status)))), description: "1 per registered IP, labelled with its status");
        meter.CreateObservableGauge(MetricNames.WarmupDay, () => From(s => s.Warmups.Select(w =>
            Measure(w.Day, ("ip", w.Address), ("vmta", w.Vmta)))), description: "The warmup's sending day (days the IP actually sent)");
        meter.CreateObservableGauge(MetricNames.WarmupDailyQuota, () => From(s => s.Warmups.Select(w =>
            Measure(w.DailyQuota, ("ip", w.Address), ("vmta", w.Vmta)))), description: "Messages the IP may send in any 24 hours at its step");
        meter.CreateObservableGauge(MetricNames.WarmupGroupQuota, () => From(s => s.Warmups.SelectMany(w => w.GroupQuotas.Select(q =>
            Measure(q.Value, ("ip", w.Address), ("vmta", w.Vmta), ("isp_group", q.Key))))), description: "Daily quota of each ISP group at its own step");
        meter.CreateObservableGauge(MetricNames.WarmupPhase, () => From(s => s.Warmups.Select(w =>
            Measure(1, ("ip", w.Address), ("vmta", w.Vmta), ("phase", w.Phase)))), description: "1 per IP with a warmup, labelled with its phase");
        meter.CreateObservableGauge(MetricNames.BlocklistListed, () => From(s => s.Listings.Select(l =>
            Measure(1, ("target", l.Target), ("zone", l.Zone), ("severity", l.Severity)))), description: "1 per open listing of an IP or domain");
        meter.CreateObservableGauge(MetricNames.BlocklistCheckerErrors, () => From(s => s.CheckerErrors.Select(e =>
            Measure(e.Value, ("zone", e.Key)))), description: "Targets whose last answer from the zone was a checker error");
        meter.CreateObservableGauge(MetricNames.OutboxMessages, () => From(s => s.Outbox.Select(d =>
            Measure(d.Count, ("kind", d.Kind), ("status", d.Status)))), description: "Outbox messages not done: pending, processing, held (for capacity), failed");
        meter.CreateObservableGauge(MetricNames.OutboxOldestAge, () => From<double>(s =>
            [new Measurement<double>(s.OldestPending is { } at ? Math.Max(0, (_clock.GetUtcNow() - at).TotalSeconds) : 0)]),
            "s", "Age of the oldest pending push (0 when none; held-for-capacity ones wait by design and are left out)");
        meter.CreateObservableGauge(MetricNames.AcctLastIngest, () => From<double>(s => s.LastIngest is { } at
            ? [new Measurement<double>(at.ToUnixTimeMilliseconds() / 1000.0)] : []), "s", "When an accounting file last advanced (Unix time)");
        meter.CreateObservableGauge(MetricNames.PmtaLastSuccess, () => From<double>(s => s.LastDeploySuccess is { } at
            ? [new Measurement<double>(at.ToUnixTimeMilliseconds() / 1000.0)] : []), "s", "When the last PowerMTA deployment succeeded (Unix time)");
        meter.CreateObservableGauge(MetricNames.StateAge, () => From<double>(s =>
            [new Measurement<double>(Math.Max(0, (_clock.GetUtcNow() - s.ReadAt).TotalSeconds))]), "s", "Age of the database state behind the gauges");
        meter.CreateObservableGauge(MetricNames.AcctPullLag, () => pull.Configured && pull.LastCompleteFrom > DateTimeOffset.MinValue
            ? [new Measurement<double>(Math.Max(0, (_clock.GetUtcNow() - pull.LastCompleteFrom).TotalSeconds))]
            : Array.Empty<Measurement<double>>(), "s", "Since the start of the last complete accounting pull (only when pulling from PowerMTA)");
        meter.CreateObservableGauge(MetricNames.PmtaInSync, () => sync.Latest().Select(last => Measure(last.InSync ? 1 : 0, ("host", last.Host))),
            description: "1 when a PowerMTA host runs the config the engine rendered for it (the reconciler's last comparison)");
        meter.CreateObservableGauge(MetricNames.PmtaStatusUp, () => pmta.Latest().Select(s => Measure(s.Up ? 1 : 0, ("host", s.Host))),
            description: "1 when the last read of a PowerMTA host's /status (through SSH) answered, else 0");
        // Queue and connections only from a read that answered: a host that does not answer has no current figures.
        meter.CreateObservableGauge(MetricNames.PmtaQueueRecipients, () => PmtaAnswers(pmta).Select(s => Measure(s.Status.QueuedRecipients, ("host", s.Host))),
            description: "Recipients in a PowerMTA host's SMTP queues (its /status queue.smtp.rcp)");
        meter.CreateObservableGauge(MetricNames.PmtaQueueDomains, () => PmtaAnswers(pmta).Select(s => Measure(s.Status.QueuedDomains, ("host", s.Host))),
            description: "Domains with recipients queued on a PowerMTA host (its /status queue.smtp.dom)");
        meter.CreateObservableGauge(MetricNames.PmtaConnections, () => PmtaAnswers(pmta).SelectMany(s => new[]
            {
                Measure(s.Status.SmtpOut, ("host", s.Host), ("direction", "out")), Measure(s.Status.SmtpIn, ("host", s.Host), ("direction", "in")),
            }), description: "Open SMTP connections of a PowerMTA host: out (deliveries), in (injection from MailWizz)");
        meter.CreateObservableGauge(MetricNames.MailWizzCircuit, () => circuit.Level,
            description: "The MailWizz client's circuit breaker: 0 closed, 1 half-open (a trial call), 2 open (calls held back, pushes wait)");
    }

    private IEnumerable<Measurement<T>> From<T>(Func<EngineState, IEnumerable<Measurement<T>>> read) where T : struct =>
        _cache.Current is { } state ? read(state).ToList() : [];

    private static Measurement<T> Measure<T>(T value, params (string Key, string Value)[] tags) where T : struct =>
        new(value, tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)));

    private static IEnumerable<(string Host, PowerMta.Status.PmtaStatus Status)> PmtaAnswers(PowerMta.Status.PmtaStatusMemory pmta) =>
        pmta.Latest().Where(s => s.Status is not null).Select(s => (s.Host, s.Status!));
}
