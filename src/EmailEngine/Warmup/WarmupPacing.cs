using EmailEngine.Deliverability;
using EmailEngine.Ips;
using EmailEngine.PowerMta;

namespace EmailEngine.Warmup;

/// <summary>
/// Turns a day's quota into PowerMTA limits that bound any 24 hours, not just a calendar day. A PowerMTA rate is a
/// pace (no more than N leave in any window of length T, for as long as mail is queued, around the clock), so a rate
/// bounds 24 hours only as N × 24 h / T. The limits are therefore written with a one-day window: <c>Q/d</c> lets at most
/// Q leave in any 24 hours, however full the queue stays. Three levels, each a bound of its own:
/// <list type="bullet">
/// <item>the virtual MTA as a whole: <c>max-smtp-msg-rate Q/d</c>, Q the IP's quota today;</item>
/// <item>each ISP group: its quota (its share of its step's quota, at least one a day per domain) split over its
/// domains by their usual weight, each domain's queue getting <c>max-msg-rate q/d</c> with the q summing to the group's
/// quota, so the group cannot exceed it whichever of its domains the mail goes to;</item>
/// <item>every other domain: the <c>other</c> share on its own queue (<c>&lt;domain *&gt;</c>), under the VMTA total.</item>
/// </list>
/// Never 0: PowerMTA reads a zero rate as unlimited.
/// </summary>
public static class WarmupPacing
{
    /// <summary>The IP's plan step: the furthest any group has reached (groups behind it are held).</summary>
    public static int IpStep(IpWarmup warmup) => IspGroups.All.Max(warmup.StepOf);

    public static int DailyQuota(IpWarmup warmup) => warmup.Plan.QuotaOf(IpStep(warmup));

    /// <summary>
    /// A group's daily quota: its share of its own step's quota, and at least one per domain of the group (each domain's
    /// queue needs a rate of at least 1/d). For <see cref="IspGroup.Other"/>, the quota of each other domain.
    /// </summary>
    public static int GroupQuota(IpWarmup warmup, IspGroup group, WarmupOptions options) =>
        Math.Max(Math.Max(1, IspGroups.DomainsOf(group).Count),
            (int)Math.Floor(warmup.Plan.QuotaOf(warmup.StepOf(group)) * options.IspShares[group]));

    /// <summary>Every group's daily quota, by group name (<c>gmail</c>, …, <c>other</c>): what the API and the metrics show.</summary>
    public static IReadOnlyDictionary<string, int> GroupQuotas(IpWarmup warmup, WarmupOptions options) =>
        IspGroups.All.ToDictionary(g => g.Name(), g => GroupQuota(warmup, g, options));

    /// <summary>A daily quota as a PowerMTA rate with a one-day window.</summary>
    public static string Rate(int perDay) => $"{Math.Max(1, perDay)}/d";

    /// <summary>
    /// Splits a group's quota over its domains: one each, the rest by weight with the largest remainders rounded up,
    /// so the parts add up to exactly <paramref name="groupQuota"/> (at least the number of domains).
    /// </summary>
    public static IReadOnlyList<(string Domain, int Quota)> SplitOverDomains(IspGroup group, int groupQuota)
    {
        var domains = IspGroups.WeightedDomainsOf(group);
        var spare = groupQuota - domains.Count;
        var shares = domains.Select(d => (d.Domain, Exact: spare * d.Weight)).ToList();
        var parts = shares.Select(s => (s.Domain, Quota: 1 + (int)Math.Floor(s.Exact))).ToList();
        var left = groupQuota - parts.Sum(p => p.Quota);
        foreach (var index in Enumerable.Range(0, shares.Count).OrderByDescending(i => shares[i].Exact - Math.Floor(shares[i].Exact)).Take(left))
            parts[index] = (parts[index].Domain, parts[index].Quota + 1);
        return parts;
    }

    /// <summary>The limits of one warming IP's virtual MTA for its current day.</summary>
    public static VmtaLimits LimitsOf(IpWarmup warmup, WarmupOptions options)
    {
        var domains = new List<DomainRate>();
        foreach (var group in IspGroups.All.Where(g => g != IspGroup.Other))
            domains.AddRange(SplitOverDomains(group, GroupQuota(warmup, group, options)).Select(part => new DomainRate(part.Domain, Rate(part.Quota))));
        domains.Add(new DomainRate("*", Rate(GroupQuota(warmup, IspGroup.Other, options))));
        return new VmtaLimits(Rate(DailyQuota(warmup)), domains,
            $"warmup {warmup.PlanName}, sending day {warmup.SendingDay}: at most {DailyQuota(warmup)} in any 24 hours; steps {warmup.Steps}");
    }

    /// <summary>Limits for every IP whose warmup is not finished (paused and quarantined ones stay capped at their step).</summary>
    public static IReadOnlyDictionary<string, VmtaLimits> LimitsOf(IEnumerable<IpWarmup> warmups, IReadOnlyList<SendingIp> ips, WarmupOptions options)
    {
        var vmtaOf = ips.ToDictionary(ip => ip.Id, ip => ip.VmtaName);
        return warmups.Where(w => w.Phase != WarmupPhase.Completed && vmtaOf.ContainsKey(w.IpId))
            .ToDictionary(w => vmtaOf[w.IpId], w => LimitsOf(w, options));
    }
}
