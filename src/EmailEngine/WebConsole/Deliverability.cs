using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Warmup;

namespace EmailEngine.WebConsole;

/// <summary>Outcomes per ISP group over a window, with the warmup gates' thresholds to hold them against.</summary>
public sealed record DeliverabilityWindow(string Name, IReadOnlyList<(string Group, OutcomeTotals Totals)> Groups, OutcomeTotals Total,
    double BounceLimit, double ComplaintLimit, double HardBounceLimit)
{
    public static async Task<IReadOnlyList<DeliverabilityWindow>> LastDayAndWeekAsync(DeliveryStatsQuery stats, WarmupOptions gates,
        long? tenantId, DateTimeOffset now, CancellationToken ct)
    {
        var day = await ByGroupAsync(stats, now.AddDays(-1), now, tenantId, ct);
        var week = await ByGroupAsync(stats, now.AddDays(-7), now, tenantId, ct);
        return
        [
            new("24h", day, Sum(day), gates.BounceRate24h, gates.ComplaintRate24h, double.NaN),
            new("7d", week, Sum(week), double.NaN, gates.ComplaintRate7d, gates.HardBounceRate7d),
        ];
    }

    private static async Task<IReadOnlyList<(string, OutcomeTotals)>> ByGroupAsync(DeliveryStatsQuery stats, DateTimeOffset from, DateTimeOffset to,
        long? tenantId, CancellationToken ct)
    {
        var rows = await stats.GroupedAsync(from, to, (int)Math.Ceiling((to - from).TotalHours), new HashSet<StatsDimension> { StatsDimension.Isp }, tenantId, ct);
        return IspGroups.All.Select(group => (group.Name(), rows.Where(r => r.Isp == group).Aggregate(OutcomeTotals.Zero, (sum, r) => sum + r.Totals)))
            .ToList();
    }

    private static OutcomeTotals Sum(IReadOnlyList<(string, OutcomeTotals Totals)> groups) =>
        groups.Aggregate(OutcomeTotals.Zero, (sum, g) => sum + g.Totals);

    public static bool Over(double rate, double limit, long sent, long minSent) => !double.IsNaN(limit) && sent >= minSent && rate > limit;
}

/// <summary>The deliverability partial's model: the windows and the volume below which a rate is not judged.</summary>
public sealed record DeliverabilityModel(IReadOnlyList<DeliverabilityWindow> Windows, long MinSent);
