using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;

namespace EmailEngine.Warmup;

/// <summary>
/// The warmup engine's view of the accounting stats (hour × vmta × ISP group × tenant × campaign), summed over
/// tenants and campaigns. <paramref name="group"/> null = every ISP group. Implemented over the stats table by
/// <see cref="DeliveryStatsQuery"/>.
/// </summary>
public interface IWarmupOutcomes
{
    Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}
