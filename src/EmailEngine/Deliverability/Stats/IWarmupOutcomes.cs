namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// The outcomes the warmup decides on: its view of the accounting stats (hour × vmta × ISP group × tenant × campaign), summed over
/// tenants and campaigns. <paramref name="group"/> null = every ISP group. Implemented over the stats table by
/// <see cref="DeliveryStatsQuery"/>.
/// </summary>
public interface IWarmupOutcomes
{
    Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>
    /// For each IP (vmta) and ISP group, the outcomes of the 24 hours and of the 7 days before <paramref name="to"/>: what
    /// the daily run decides on, for every IP at once. Zero where nothing was sent. The stats table answers it in one
    /// read; this default asks <see cref="TotalsAsync"/> for each.
    /// </summary>
    async Task<IReadOnlyDictionary<(string Vmta, IspGroup Group), (OutcomeTotals Day, OutcomeTotals Week)>> DayAndWeekAsync(
        IReadOnlyCollection<string> vmtas, DateTimeOffset to, CancellationToken ct)
    {
        var totals = new Dictionary<(string, IspGroup), (OutcomeTotals, OutcomeTotals)>();
        foreach (var vmta in vmtas)
            foreach (var group in IspGroups.All)
                totals[(vmta, group)] = (await TotalsAsync(vmta, group, to.AddHours(-24), to, ct), await TotalsAsync(vmta, group, to.AddDays(-7), to, ct));
        return totals;
    }
}
