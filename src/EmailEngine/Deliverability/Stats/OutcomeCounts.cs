namespace EmailEngine.Deliverability.Stats;

/// <summary>The key of one <see cref="DeliveryStatRow"/> (hourly, or daily with the day's first hour).</summary>
public readonly record struct StatKey(long Hour, string Host, string Vmta, IspGroup IspGroup, long TenantId, long CampaignId);

/// <summary>Totals of delivery outcomes over any slice of the stats, with the rates gates and reports use.</summary>
public sealed record OutcomeTotals(long Sent, long Delivered, long Deferred, long DeferredBlock, long BouncedHard, long BouncedSoft,
    long BouncedBlock, long BouncedOther, long Complaints)
{
    public static readonly OutcomeTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static OutcomeTotals operator +(OutcomeTotals a, OutcomeTotals b) => new(a.Sent + b.Sent, a.Delivered + b.Delivered,
        a.Deferred + b.Deferred, a.DeferredBlock + b.DeferredBlock, a.BouncedHard + b.BouncedHard, a.BouncedSoft + b.BouncedSoft,
        a.BouncedBlock + b.BouncedBlock, a.BouncedOther + b.BouncedOther, a.Complaints + b.Complaints);

    public long Bounced => BouncedHard + BouncedSoft + BouncedBlock + BouncedOther;
    public double DeliveryRate => Ratio(Delivered, Sent);
    public double BounceRate => Ratio(Bounced, Sent);
    public double HardBounceRate => Ratio(BouncedHard, Sent);
    public double BlockRate => Ratio(BouncedBlock + DeferredBlock, Sent + Deferred);
    public double DeferralRate => Ratio(Deferred, Sent + Deferred);
    /// <summary>Complaints per delivered message, as mailbox providers count it.</summary>
    public double ComplaintRate => Ratio(Complaints, Delivered);

    private static double Ratio(long part, long whole) => whole == 0 ? 0 : (double)part / whole;
}

/// <summary>Mutable counters, aggregated in memory per batch before one upsert.</summary>
public sealed class OutcomeCounts
{
    public long Sent, Delivered, Deferred, DeferredBlock, BouncedHard, BouncedSoft, BouncedBlock, BouncedOther, Complaints;

    public void AddBounce(BounceClass @class)
    {
        switch (@class)
        {
            case BounceClass.Hard: BouncedHard++; break;
            case BounceClass.Soft: BouncedSoft++; break;
            case BounceClass.Block: BouncedBlock++; break;
            default: BouncedOther++; break;
        }
    }

    public void Add(OutcomeCounts other)
    {
        Sent += other.Sent; Delivered += other.Delivered; Deferred += other.Deferred; DeferredBlock += other.DeferredBlock;
        BouncedHard += other.BouncedHard; BouncedSoft += other.BouncedSoft; BouncedBlock += other.BouncedBlock;
        BouncedOther += other.BouncedOther; Complaints += other.Complaints;
    }
}
