using EmailEngine.Deliverability;

namespace EmailEngine.Simulation;

/// <summary>An IP's quotas as the engine had them at one moment: the day's total and each ISP group's.</summary>
public sealed record QuotaSample(DateTimeOffset At, string Vmta, int Daily, IReadOnlyDictionary<IspGroup, int> Groups, bool Bounded);

/// <summary>A rolling 24 hours in which more left an IP (in total, or to one ISP group) than its quota allowed.</summary>
public sealed record QuotaViolation(string Vmta, string Scope, DateTimeOffset WindowEnd, int Sent, int Quota);

/// <summary>
/// The invariant the operator's last engine broke: for every IP, every rolling 24 hours and every ISP group, what
/// the PowerMTA stand-in's own log shows leaving that IP is within the quota in force. The quota for a window is the
/// largest one sampled from one hour before the window to its end (a raised quota applies from its decision on).
/// Groups are the engine's provider families; every other domain is held to the <c>other</c> quota on its own, as
/// PowerMTA paces each domain's queue. IPs whose warmup is complete (active) carry no warmup bound. Samples are taken
/// every half hour, so the samples up to one hour after the window also count: a quota the engine raised at a decision
/// reaches PowerMTA only with the deployment that follows it, never before.
/// </summary>
public static class QuotaInvariant
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    public static List<QuotaViolation> Check(IEnumerable<SendAttempt> attempts, IReadOnlyList<QuotaSample> samples)
    {
        var violations = new List<QuotaViolation>();
        var samplesOf = samples.GroupBy(s => s.Vmta).ToDictionary(g => g.Key, g => g.OrderBy(s => s.At).ToList());
        foreach (var byVmta in attempts.Where(a => a.LeftTheIp).GroupBy(a => a.Vmta))
        {
            if (!samplesOf.TryGetValue(byVmta.Key, out var history))
                continue; // not one of the simulation's IPs
            var sends = byVmta.OrderBy(a => a.Time).ToList();
            violations.AddRange(Windows(sends, "total", history, s => s.Daily));
            foreach (var byScope in sends.GroupBy(a => IspGroups.Of(a.Domain) is var g && g == IspGroup.Other ? $"other:{a.Domain}" : g.Name()))
            {
                var group = byScope.Key.StartsWith("other:", StringComparison.Ordinal) ? IspGroup.Other : Enum.Parse<IspGroup>(byScope.Key, ignoreCase: true);
                violations.AddRange(Windows(byScope.ToList(), byScope.Key, history, s => s.Groups.GetValueOrDefault(group, s.Daily)));
            }
        }
        return violations;
    }

    /// <summary>The worst window of each kind (one line per IP and scope), walking the sends with a 24-hour sliding window.</summary>
    private static IEnumerable<QuotaViolation> Windows(List<SendAttempt> sends, string scope, List<QuotaSample> history, Func<QuotaSample, int> quotaOf)
    {
        QuotaViolation? worst = null;
        var first = 0;
        for (var last = 0; last < sends.Count; last++)
        {
            var end = sends[last].Time;
            while (sends[first].Time <= end - Day)
                first++;
            var sent = last - first + 1;
            if (QuotaFor(history, end - Day - TimeSpan.FromHours(1), end + TimeSpan.FromHours(1), quotaOf) is { } quota && sent > quota
                && (worst is null || sent - quota > worst.Sent - worst.Quota))
                worst = new QuotaViolation(sends[last].Vmta, scope, end, sent, quota);
        }
        return worst is null ? [] : [worst];
    }

    private static int? QuotaFor(List<QuotaSample> history, DateTimeOffset from, DateTimeOffset to, Func<QuotaSample, int> quotaOf)
    {
        var inForce = history.LastOrDefault(s => s.At <= from) ?? history[0];
        var relevant = history.Where(s => s.At > from && s.At <= to).Prepend(inForce).ToList();
        return relevant.Any(s => !s.Bounded) ? null : relevant.Max(quotaOf);
    }
}
