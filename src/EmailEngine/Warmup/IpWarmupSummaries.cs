using EmailEngine.Data;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

internal sealed class IpWarmupSummaries(AppDbContext db, WarmupOptions options) : IIpWarmups
{
    public Task EnsureForWarmingAsync(SendingIp ip, DateTimeOffset now, string actor, CancellationToken ct) =>
        WarmupStart.EnsureForWarmingAsync(db, ip, options, now, actor, ct);

    public async Task<IReadOnlyDictionary<long, IpWarmupSummary>> SummariesAsync(long[]? ipIds, CancellationToken ct)
    {
        var warmups = db.Set<IpWarmup>().AsNoTracking();
        if (ipIds is not null)
            warmups = warmups.Where(w => ipIds.Contains(w.IpId));
        return (await warmups.ToListAsync(ct)).ToDictionary(w => w.IpId, w => Of(w, options));
    }

    /// <summary>The plan an IP is under, with the day's quota in total and per ISP group.</summary>
    public static IpWarmupSummary Of(IpWarmup state, WarmupOptions options) =>
        new(state.PlanName, state.Phase.ToString().ToLowerInvariant(), state.SendingDay, WarmupPacing.DailyQuota(state), WarmupPacing.GroupQuotas(state, options));
}
