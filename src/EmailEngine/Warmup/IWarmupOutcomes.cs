using EmailEngine.Deliverability;

namespace EmailEngine.Warmup;

/// <summary>
/// What PowerMTA reported for one virtual MTA over a time range, from the accounting stats (sent = delivery
/// attempts that reached a final or deferred outcome in the range).
/// </summary>
public sealed record OutcomeTotals(long Sent, long Delivered, long Deferred, long HardBounces, long SoftBounces, long BlockBounces, long Complaints)
{
    public static readonly OutcomeTotals None = new(0, 0, 0, 0, 0, 0, 0);

    public long Bounces => HardBounces + SoftBounces + BlockBounces;
    public double HardBounceRate => Of(HardBounces);
    public double BounceRate => Of(Bounces);
    public double ComplaintRate => Of(Complaints);
    public double BlockRate => Of(BlockBounces);
    public double DeferralRate => Of(Deferred);

    private double Of(long count) => Sent == 0 ? 0 : (double)count / Sent;
}

/// <summary>
/// The warmup engine's view of the accounting stats (hour × vmta × ISP group × tenant × campaign), summed over
/// tenants and campaigns. <paramref name="group"/> null = every ISP group. Implemented over the stats table.
/// </summary>
public interface IWarmupOutcomes
{
    Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);
}
