namespace EmailEngine.Deliverability.Stats;

/// <summary>The key of one <see cref="DeliveryStat"/> row.</summary>
public readonly record struct StatKey(long Hour, string Vmta, IspGroup IspGroup, long TenantId, long CampaignId);

/// <summary>Totals of delivery outcomes over any slice of the stats, with the rates gates and reports use.</summary>
public sealed record OutcomeTotals(long Sent, long Delivered, long Deferred, long DeferredBlock, long BouncedHard, long BouncedSoft,
    long BouncedBlock, long BouncedOther, long Complaints)
{
    public static readonly OutcomeTotals Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0);

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
}
