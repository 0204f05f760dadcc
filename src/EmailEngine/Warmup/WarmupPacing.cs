using EmailEngine.Deliverability;
using EmailEngine.Ips;
using EmailEngine.PowerMta;

namespace EmailEngine.Warmup;

/// <summary>
/// Turns a day's quota into PowerMTA rates. A quota is spread over the sending window (default 16 h) with a margin
/// (default 20 %) so MailWizz's bursts still finish inside it: rate/h = quota × share × 1.2 / 16, rounded up. Under
/// 10 an hour, rounding up to a whole number per hour would overshoot (1.5/h → 2/h is a third more), so the rate is
/// written per window instead (<c>24/16h</c>). Never 0: PowerMTA reads a zero rate as unlimited.
/// </summary>
public static class WarmupPacing
{
    /// <summary>The IP's plan step: the furthest any group has reached (groups behind it are held).</summary>
    public static int IpStep(IpWarmup warmup) => IspGroups.All.Max(warmup.StepOf);

    public static int DailyQuota(IpWarmup warmup) => warmup.Plan.QuotaOf(IpStep(warmup));

    /// <summary>A group's share of its own step's quota, at least 1.</summary>
    public static int GroupQuota(IpWarmup warmup, IspGroup group, WarmupOptions options) =>
        Math.Max(1, (int)Math.Floor(warmup.Plan.QuotaOf(warmup.StepOf(group)) * options.IspShares[group]));

    public static string Rate(int perDay, WarmupOptions options)
    {
        // Decimal: 200/day × 1.2 / 16 must be exactly 15/h, not 16 from binary floating-point noise.
        var perWindow = perDay * (1 + (decimal)options.RateMargin);
        var perHour = perWindow / options.SendingWindowHours;
        return perHour >= 10 ? $"{(int)Math.Ceiling(perHour)}/h" : $"{Math.Max(1, (int)Math.Ceiling(perWindow))}/{options.SendingWindowHours}h";
    }

    /// <summary>
    /// The limits of one warming IP's virtual MTA: the whole day's pace on the VMTA, and each group's pace on each of
    /// its domains (PowerMTA rates apply per queue, i.e. per domain; the VMTA cap bounds their sum). Other domains get
    /// the <c>other</c> share through <c>&lt;domain *&gt;</c>.
    /// </summary>
    public static VmtaLimits LimitsOf(IpWarmup warmup, WarmupOptions options)
    {
        var domains = new List<DomainRate>();
        foreach (var group in IspGroups.All.Where(g => g != IspGroup.Other))
        {
            var rate = Rate(GroupQuota(warmup, group, options), options);
            domains.AddRange(IspGroups.DomainsOf(group).Select(domain => new DomainRate(domain, rate)));
        }
        domains.Add(new DomainRate("*", Rate(GroupQuota(warmup, IspGroup.Other, options), options)));
        return new VmtaLimits(Rate(DailyQuota(warmup), options), domains,
            $"warmup {warmup.PlanName}, sending day {warmup.SendingDay}: {DailyQuota(warmup)}/day over {options.SendingWindowHours} h"
            + $" (+{options.RateMargin * 100:0}%); steps {warmup.Steps}");
    }

    /// <summary>Limits for every IP whose warmup is not finished (paused and quarantined ones stay capped at their step).</summary>
    public static IReadOnlyDictionary<string, VmtaLimits> LimitsOf(IEnumerable<IpWarmup> warmups, IReadOnlyList<SendingIp> ips, WarmupOptions options)
    {
        var vmtaOf = ips.ToDictionary(ip => ip.Id, ip => ip.VmtaName);
        return warmups.Where(w => w.Phase != WarmupPhase.Completed && vmtaOf.ContainsKey(w.IpId))
            .ToDictionary(w => vmtaOf[w.IpId], w => LimitsOf(w, options));
    }
}
