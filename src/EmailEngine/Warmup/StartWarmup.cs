using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

public sealed record StartWarmupRequest(string? Plan, int? Day);

/// <summary>
/// Starts an IP's warmup on a plan (default <c>conservative-70</c>) or assigns another plan to a running one, keeping
/// its sending day unless <c>day</c> says where to start (an IP already partly warm). The IP becomes <c>warming</c>.
/// </summary>
public static class StartWarmup
{
    public static async Task<IResult> Handle(long id, StartWarmupRequest? request, ClaimsPrincipal user, AppDbContext db,
        WarmupOptions options, WarmupDeployment deployment, TimeProvider clock, CancellationToken ct)
    {
        var ip = await db.Set<SendingIp>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (ip is null)
            return GetIp.NotFound(id).ToProblem();
        var planName = request?.Plan?.Trim() is { Length: > 0 } named ? named : WarmupPresets.Conservative70;
        var plan = await WarmupPlans.FindAsync(db, planName, ct);
        var errors = new FieldErrors();
        if (plan is null)
            errors.Add("plan", $"no plan named {planName}; see GET /api/v1/warmup/plans");
        else if (request?.Day is { } wanted && (wanted < 1 || wanted > plan.Days))
            errors.Add("day", $"must be between 1 and {plan.Days} (the plan's length)");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (ip.Status != IpStatus.Warming && !IpStatuses.CanMove(ip.Status, IpStatus.Warming))
            return new Failure.Conflict($"IP {ip.Address} is {IpStatuses.ToWire(ip.Status)} and cannot move to warming; allowed: "
                + string.Join(", ", IpStatuses.NextFrom(ip.Status).Select(IpStatuses.ToWire))).ToProblem();

        var now = clock.GetUtcNow();
        var state = await db.Set<IpWarmup>().SingleOrDefaultAsync(w => w.IpId == id, ct);
        var restart = state is null || state.Phase == WarmupPhase.Completed;
        if (state is null)
        {
            state = new IpWarmup { IpId = id, PlanName = plan!.Name, Quotas = "", StartedAt = now };
            db.Add(state);
        }
        var day = request?.Day ?? (restart ? 1 : Math.Min(state.SendingDay, plan!.Days));
        var previous = state.PlanName;
        state.PlanName = plan!.Name;
        state.Quotas = WarmupPlan.FormatQuotas(plan.DailyQuotas);
        state.Phase = WarmupPhase.Running;
        state.SendingDay = day;
        state.SetAllSteps(day);
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

        var reason = restart ? $"warmup started on plan {plan.Name} at day {day} ({plan.QuotaOf(day)}/day)"
            : $"plan changed from {previous} to {plan.Name} at day {day} ({plan.QuotaOf(day)}/day)";
        var decision = WarmupEngine.Decision(state, now, DecisionKind.Start, reason,
            WarmupFiguresJson.Serialize(new { plan = plan.Name, day, quota = plan.QuotaOf(day) }), actor: user.Identity?.Name ?? "operator");
        db.Add(decision);
        await db.SaveChangesAsync(ct);
        await deployment.DeployAsync([decision], decision.Actor, ct);
        return TypedResults.Created($"/api/v1/ips/{id}/warmup", await GetWarmup.ViewAsync(db, ip, state, options, null, ct));
    }
}
