using EmailEngine.Data;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

/// <summary>
/// Puts an IP under a plan. A <c>warming</c> IP is never without one: registering an IP as warming, or moving one to
/// warming, starts the default plan in the same transaction (an explicit <c>POST …/warmup</c> can pick another), so its
/// virtual MTA is rendered with that day's limits from the first config that contains it.
/// </summary>
public static class WarmupStart
{
    /// <summary>
    /// Starts (or restarts after completion) the IP's warmup on <paramref name="plan"/>, or moves a running one to it
    /// keeping its sending day unless <paramref name="day"/> says otherwise. Adds the state and its decision to
    /// <paramref name="db"/>; the caller saves. The IP must already be saved (its id is the decision's key). The IP becomes
    /// <c>warming</c>.
    /// </summary>
    public static async Task<(IpWarmup State, WarmupDecision Decision)> BeginAsync(AppDbContext db, SendingIp ip, PlanQuotas plan, int? day,
        WarmupOptions options, DateTimeOffset now, string actor, CancellationToken ct) =>
        Begin(db, ip, await db.Set<IpWarmup>().SingleOrDefaultAsync(w => w.IpId == ip.Id, ct), plan, day, options, now, actor);

    /// <param name="state">The IP's warmup as loaded by the caller (null: it never had one).</param>
    private static (IpWarmup State, WarmupDecision Decision) Begin(AppDbContext db, SendingIp ip, IpWarmup? state, PlanQuotas plan, int? day,
        WarmupOptions options, DateTimeOffset now, string actor)
    {
        var restart = state is null || state.Phase == WarmupPhase.Completed;
        if (state is null)
        {
            state = new IpWarmup { Ip = ip, PlanName = plan.Name, Quotas = "", StartedAt = now };
            db.Add(state);
        }
        var sendingDay = day ?? (restart ? 1 : Math.Min(state.SendingDay, plan.Days));
        var previous = state.PlanName;
        state.PlanName = plan.Name;
        state.Quotas = WarmupPlan.FormatQuotas(plan.DailyQuotas);
        state.Phase = WarmupPhase.Running;
        state.SendingDay = sendingDay;
        state.SetAllSteps(sendingDay);
        state.PausedUntil = null;
        state.HoldUntil = null;
        state.WindowStart = now;
        state.LastPeriod = options.PeriodOf(now); // the first decision comes at the next period boundary
        state.UpdatedAt = now;
        state.Version++;
        if (restart)
            state.StartedAt = now;
        ip.Status = IpStatus.Warming;
        ip.UpdatedAt = now;

        var reason = restart ? $"warmup started on plan {plan.Name} at day {sendingDay} ({plan.QuotaOf(sendingDay)}/day)"
            : $"plan changed from {previous} to {plan.Name} at day {sendingDay} ({plan.QuotaOf(sendingDay)}/day)";
        var decision = WarmupEngine.Decision(state, now, DecisionKind.Start, reason,
            WarmupFiguresJson.Serialize(new { plan = plan.Name, day = sendingDay, quota = plan.QuotaOf(sendingDay) }), actor: actor);
        db.Add(decision);
        return (state, decision);
    }

    /// <summary>
    /// The safe default for an IP that is (or becomes) <c>warming</c> without a running plan: the default preset from
    /// day 1. A running, paused or quarantined warmup is left as it is.
    /// </summary>
    public static async Task<IpWarmup?> EnsureForWarmingAsync(AppDbContext db, SendingIp ip, WarmupOptions options, DateTimeOffset now,
        string actor, CancellationToken ct)
    {
        if (ip.Status != IpStatus.Warming)
            return null;
        var existing = await db.Set<IpWarmup>().SingleOrDefaultAsync(w => w.IpId == ip.Id, ct);
        if (existing is { Phase: not WarmupPhase.Completed })
            return existing;
        return Begin(db, ip, existing, WarmupPresets.Conservative, day: null, options, now, actor).State;
    }
}
