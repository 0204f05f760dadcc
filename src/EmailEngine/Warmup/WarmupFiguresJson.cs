using EmailEngine.Deliverability.Stats;
using System.Text.Json;
using EmailEngine.Deliverability;
using EmailEngine.Http;

namespace EmailEngine.Warmup;

/// <summary>The figures stored with a decision and shown by the API: totals, rates and the thresholds they met.</summary>
public static class WarmupFiguresJson
{
    public static object Totals(OutcomeTotals t) => new
    {
        t.Sent, t.Delivered, t.Deferred, t.DeferredBlock, t.BouncedHard, t.BouncedSoft, t.BouncedBlock, t.BouncedOther, t.Complaints,
        hard_bounce_rate = t.HardBounceRate, bounce_rate = t.BounceRate, complaint_rate = t.ComplaintRate,
        block_rate = t.BlockRate, deferral_rate = t.DeferralRate,
    };

    public static object Thresholds(WarmupOptions o) => new
    {
        hard_bounce_rate_7d = o.HardBounceRate7d, complaint_rate_7d = o.ComplaintRate7d, bounce_rate_24h = o.BounceRate24h,
        complaint_rate_24h = o.ComplaintRate24h, isp_block_rate_24h = o.IspBlockRate24h, isp_deferral_rate_24h = o.IspDeferralRate24h,
        min_sent = o.MinSent,
    };

    public static object Of(WarmupFigures f, WarmupOptions o) => new
    {
        window = new { from_24h = f.From24h, from_7d = f.From7d, to = f.To },
        ip_24h = Totals(f.Ip24h),
        ip_7d = Totals(f.Ip7d),
        isp_24h = f.Groups24h.ToDictionary(g => g.Key.Name(), g => Totals(g.Value)),
        thresholds = Thresholds(o),
    };

    public static object OfGroup(WarmupFigures f, IspGroup group, WarmupOptions o) => new
    {
        window = new { from_24h = f.From24h, to = f.To },
        group = group.Name(),
        isp_24h = Totals(f.Groups24h[group]),
        thresholds = Thresholds(o),
    };

    public static string Serialize(object figures) => JsonSerializer.Serialize(figures, ApiJson.Options);
}
