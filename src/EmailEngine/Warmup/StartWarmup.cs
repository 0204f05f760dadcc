using System.Security.Claims;
using EmailEngine.Data;
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

        var (state, decision) = await WarmupStart.BeginAsync(db, ip, plan!, request?.Day, options, clock.GetUtcNow(),
            user.Identity?.Name ?? "operator", ct);
        await db.SaveChangesAsync(ct);
        await deployment.DeployAsync([decision], decision.Actor, ct);
        return TypedResults.Created($"/api/v1/ips/{id}/warmup", await GetWarmup.ViewAsync(db, ip, state, options, null, ct));
    }
}
