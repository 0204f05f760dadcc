using System.Diagnostics;
using System.Diagnostics.Metrics;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;

namespace EmailEngine.Metrics;

/// <summary>
/// The engine's own instruments, incremented where things happen (accounting batches, deployments, outbox runs, calls
/// to MailWizz and webhook receivers). Labels are bounded: virtual MTA, ISP group, bounce class, outbox kind, result,
/// call target; never a recipient, a tenant or a URL. Without a listener (<c>METRICS=off</c>) every call is a no-op.
/// </summary>
public sealed class EngineMetrics
{
    public const string MeterName = "EmailEngine";
    public const string ActivitySourceName = "EmailEngine";

    /// <summary>The engine's spans (outbox runs, accounting batches, deployments); nothing is recorded without a listener.</summary>
    public static readonly ActivitySource Tracing = new(ActivitySourceName);

    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _sent, _delivered, _bounced, _deferred, _complaints, _records, _deployments, _outbox;
    private readonly Histogram<double> _batch, _deploy, _calls;

    public EngineMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _sent = Meter.CreateCounter<long>(MetricNames.Sent, description: "Messages handed to a receiving MTA (accounting d and b records)");
        _delivered = Meter.CreateCounter<long>(MetricNames.Delivered, description: "Messages delivered (accounting d records)");
        _bounced = Meter.CreateCounter<long>(MetricNames.Bounced, description: "Bounces (b and rb records) by class: hard, soft, block, other");
        _deferred = Meter.CreateCounter<long>(MetricNames.Deferred, description: "Deferrals (t records); class block when the receiver blocked");
        _complaints = Meter.CreateCounter<long>(MetricNames.Complaints, description: "Feedback-loop complaints (f records)");
        _records = Meter.CreateCounter<long>(MetricNames.AcctRecords, description: "Accounting records ingested");
        _batch = Meter.CreateHistogram(MetricNames.AcctBatchDuration, "s", "Time to commit one accounting batch", advice: Buckets);
        _deployments = Meter.CreateCounter<long>(MetricNames.Deployments, description: "PowerMTA deployments by result");
        _deploy = Meter.CreateHistogram(MetricNames.DeploymentDuration, "s", "Time one PowerMTA deployment took", advice: Buckets);
        _outbox = Meter.CreateCounter<long>(MetricNames.OutboxHandled, description: "Outbox messages handled, by kind and result");
        _calls = Meter.CreateHistogram(MetricNames.CallDuration, "s", "Calls to MailWizz and webhook receivers, by target and outcome", advice: Buckets);
    }

    public Meter Meter { get; }

    private static InstrumentAdvice<double> Buckets => new() { HistogramBucketBoundaries = SecondsBuckets };

    /// <summary>One committed accounting batch: its outcomes per virtual MTA and ISP group.</summary>
    public void Ingested(IReadOnlyDictionary<StatKey, OutcomeCounts> stats, int records, TimeSpan took)
    {
        foreach (var slice in stats.GroupBy(s => (s.Key.Vmta, s.Key.IspGroup)))
        {
            var counts = new OutcomeCounts();
            foreach (var (_, value) in slice)
                counts.Add(value);
            var vmta = slice.Key.Vmta.Length == 0 ? "unknown" : slice.Key.Vmta;
            var where = new TagList { { "vmta", vmta }, { "isp_group", slice.Key.IspGroup.Name() } };
            Add(_sent, counts.Sent, where);
            Add(_delivered, counts.Delivered, where);
            Add(_complaints, counts.Complaints, where);
            Add(_bounced, counts.BouncedHard, where, ("class", "hard"));
            Add(_bounced, counts.BouncedSoft, where, ("class", "soft"));
            Add(_bounced, counts.BouncedBlock, where, ("class", "block"));
            Add(_bounced, counts.BouncedOther, where, ("class", "other"));
            Add(_deferred, counts.DeferredBlock, where, ("class", "block"));
            Add(_deferred, counts.Deferred - counts.DeferredBlock, where, ("class", "other"));
        }
        if (records > 0)
            _records.Add(records);
        _batch.Record(took.TotalSeconds);
    }

    private static void Add(Counter<long> counter, long value, TagList where, (string Key, string Value)? extra = null)
    {
        if (value <= 0)
            return;
        var tags = where;
        if (extra is { } e)
            tags.Add(e.Key, e.Value);
        counter.Add(value, tags);
    }

    /// <param name="status">The wire status (succeeded, unchanged, failed, rolled_back, dry_run).</param>
    public void Deployed(string status, TimeSpan took)
    {
        _deployments.Add(1, new KeyValuePair<string, object?>("status", status));
        _deploy.Record(took.TotalSeconds, new KeyValuePair<string, object?>("status", status));
    }

    /// <param name="kind">The outbox kind (a fixed set: mailwizz.template, webhook.deliver…).</param>
    /// <param name="result">done, deferred, retry, failed or superseded.</param>
    public void OutboxHandled(string kind, string result) =>
        _outbox.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("result", result));

    /// <param name="target">mailwizz or webhook.</param>
    /// <param name="outcome">2xx, 3xx, 4xx, 5xx, or error (no answer: refused, timeout, circuit open).</param>
    public void Called(string target, string outcome, TimeSpan took) =>
        _calls.Record(took.TotalSeconds, new KeyValuePair<string, object?>("target", target), new KeyValuePair<string, object?>("outcome", outcome));
}
