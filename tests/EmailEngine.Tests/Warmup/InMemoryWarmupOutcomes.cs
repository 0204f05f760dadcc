using EmailEngine.Deliverability.Stats;
using System.Collections.Concurrent;
using EmailEngine.Deliverability;
using EmailEngine.Warmup;

namespace EmailEngine.Tests.Warmup;

/// <summary>Synthetic accounting outcomes per vmta, ISP group and time: what the stats table will answer in production.</summary>
public sealed class InMemoryWarmupOutcomes : IWarmupOutcomes
{
    private readonly ConcurrentBag<(string Vmta, IspGroup Group, DateTimeOffset At, OutcomeTotals Totals)> _records = [];

    public void Add(string vmta, IspGroup group, DateTimeOffset at, OutcomeTotals totals) => _records.Add((vmta, group, at, totals));

    public Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var sum = OutcomeTotals.Zero;
        foreach (var r in _records.Where(r => r.Vmta == vmta && (group is null || r.Group == group) && r.At >= from && r.At < to))
            sum = new(sum.Sent + r.Totals.Sent, sum.Delivered + r.Totals.Delivered, sum.Deferred + r.Totals.Deferred,
                sum.DeferredBlock + r.Totals.DeferredBlock, sum.BouncedHard + r.Totals.BouncedHard, sum.BouncedSoft + r.Totals.BouncedSoft,
                sum.BouncedBlock + r.Totals.BouncedBlock, sum.BouncedOther + r.Totals.BouncedOther, sum.Complaints + r.Totals.Complaints);
        return Task.FromResult(sum);
    }
}
