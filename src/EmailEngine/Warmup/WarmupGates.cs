using EmailEngine.Deliverability.Stats;
using System.Globalization;
using EmailEngine.Deliverability;

namespace EmailEngine.Warmup;

/// <summary>The outcomes one decision is taken on. Windows never reach back before the last start or resume.</summary>
public sealed record WarmupFigures(DateTimeOffset From24h, DateTimeOffset From7d, DateTimeOffset To, OutcomeTotals Ip24h, OutcomeTotals Ip7d,
    IReadOnlyDictionary<IspGroup, OutcomeTotals> Groups24h)
{
    public static async Task<WarmupFigures> CollectAsync(IWarmupOutcomes outcomes, string vmta, DateTimeOffset windowStart, DateTimeOffset now,
        CancellationToken ct)
    {
        var from24h = Max(now.AddHours(-24), windowStart);
        var from7d = Max(now.AddDays(-7), windowStart);
        var groups = new Dictionary<IspGroup, OutcomeTotals>();
        foreach (var group in IspGroups.All)
            groups[group] = await outcomes.TotalsAsync(vmta, group, from24h, now, ct);
        return new(from24h, from7d, now, await outcomes.TotalsAsync(vmta, null, from24h, now, ct),
            await outcomes.TotalsAsync(vmta, null, from7d, now, ct), groups);
    }

    /// <summary>
    /// <see cref="CollectAsync"/> for many IPs: those whose window began a week or more ago from one read of the stats
    /// (the daily run at 100 IPs took 8 queries an IP); those started or resumed within the week, one by one.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, WarmupFigures>> CollectManyAsync(IWarmupOutcomes outcomes,
        IReadOnlyCollection<(string Vmta, DateTimeOffset WindowStart)> ips, DateTimeOffset now, CancellationToken ct)
    {
        var (from24h, from7d) = (now.AddHours(-24), now.AddDays(-7));
        var settled = ips.Where(ip => ip.WindowStart <= from7d).Select(ip => ip.Vmta).Distinct().ToList();
        var totals = settled.Count == 0 ? null : await outcomes.DayAndWeekAsync(settled, now, ct);
        var figures = new Dictionary<string, WarmupFigures>();
        foreach (var vmta in settled)
        {
            var groups = IspGroups.All.ToDictionary(group => group, group => totals![(vmta, group)].Day);
            var week = IspGroups.All.Aggregate(OutcomeTotals.Zero, (sum, group) => sum + totals![(vmta, group)].Week);
            figures[vmta] = new(from24h, from7d, now, groups.Values.Aggregate(OutcomeTotals.Zero, (sum, day) => sum + day), week, groups);
        }
        foreach (var (vmta, windowStart) in ips.Where(ip => ip.WindowStart > from7d))
            figures[vmta] = await CollectAsync(outcomes, vmta, windowStart, now, ct);
        return figures;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

public sealed record GroupHold(IspGroup Group, string Reason);

/// <summary>What the gates say about one sending day.</summary>
public sealed record GateVerdict(DecisionKind Kind, string Reason, TimeSpan? StopFor, IReadOnlyList<GroupHold> Holds);

/// <summary>
/// The gates, strictest first: a 24-hour bounce (blocks at one provider aside) or complaint spike quarantines the IP; a 7-day hard-bounce or
/// complaint drift pauses it (the longer pause when both); a block or deferral spike at one ISP group holds that
/// group's step only; otherwise the day was clean and the IP advances. A gate needs <see cref="WarmupOptions.MinSent"/>
/// messages in its window to judge.
/// </summary>
public static class WarmupGates
{
    public static GateVerdict Evaluate(WarmupFigures figures, WarmupOptions options)
    {
        var day = figures.Ip24h;
        if (day.Sent >= options.MinSent)
        {
            // Blocks at a single provider are that provider's refusal: its step is held below, the IP is not stopped for
            // them. Blocks at several providers still count against the IP.
            var oneProvidersBlocks = figures.Groups24h.Values.Select(g => g.BouncedBlock).DefaultIfEmpty(0).Max();
            var bounceRate = day.Sent == 0 ? 0 : (double)(day.Bounced - oneProvidersBlocks) / day.Sent;
            var spikes = Exceeded(("24-hour bounce rate", bounceRate, options.BounceRate24h),
                ("24-hour complaint rate", day.ComplaintRate, options.ComplaintRate24h));
            if (spikes.Count > 0)
                return new(DecisionKind.Quarantine, $"emergency stop: {string.Join("; ", spikes)} ({day.Sent} sent)", options.Quarantine, []);
        }

        var week = figures.Ip7d;
        if (week.Sent >= options.MinSent)
        {
            var hard = Exceeded(("7-day hard bounce rate", week.HardBounceRate, options.HardBounceRate7d));
            var complaints = Exceeded(("7-day complaint rate", week.ComplaintRate, options.ComplaintRate7d));
            if (hard.Count + complaints.Count > 0)
            {
                var pause = complaints.Count > 0 ? options.ComplaintPause : options.HardBouncePause;
                return new(DecisionKind.Pause, $"{string.Join("; ", hard.Concat(complaints))} ({week.Sent} sent): paused {pause.TotalHours:0} h",
                    pause, []);
            }
        }

        var holds = new List<GroupHold>();
        foreach (var (group, totals) in figures.Groups24h.Where(g => g.Value.Sent >= options.MinSent))
        {
            var spikes = Exceeded(("block rate", totals.BlockRate, options.IspBlockRate24h), ("deferral rate", totals.DeferralRate, options.IspDeferralRate24h));
            if (spikes.Count > 0)
                holds.Add(new(group, $"{group.Name()} 24-hour {string.Join("; ", spikes)} ({totals.Sent} sent): {group.Name()} step held"));
        }
        return new(DecisionKind.Advance, holds.Count == 0 ? "clean day: every gate passed" : "gates passed except at " + string.Join(", ", holds.Select(h => h.Group.Name())),
            null, holds);
    }

    private static List<string> Exceeded(params (string Name, double Rate, double Threshold)[] checks) =>
        checks.Where(c => c.Rate > c.Threshold).Select(c => $"{c.Name} {Percent(c.Rate)} > {Percent(c.Threshold)}").ToList();

    public static string Percent(double rate) => (rate * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
}
