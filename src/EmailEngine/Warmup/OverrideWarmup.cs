using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

public sealed record WarmupOverrideRequest(string? Action, string? Reason, int? Day, int? Hours);

/// <summary>
/// An operator's decision over the engine's: <c>pause</c> (for <c>hours</c>, or until resumed), <c>resume</c>,
/// <c>skip_to_day</c> (<c>day</c>), <c>hold</c> (no step advances for <c>hours</c>, default 24), <c>complete</c> (IP
/// active now). Always with a reason, recorded like any decision.
/// </summary>
public static class OverrideWarmup
{
    public static readonly IReadOnlyList<string> Actions = ["pause", "resume", "skip_to_day", "hold", "complete"];

    public static async Task<IResult> Handle(long id, WarmupOverrideRequest request, ClaimsPrincipal user, AppDbContext db,
        WarmupOptions options, WarmupDeployment deployment, TimeProvider clock, CancellationToken ct)
    {
        var state = await db.Set<IpWarmup>().Include(w => w.Ip).SingleOrDefaultAsync(w => w.IpId == id, ct);
        if (state is null)
            return GetWarmup.NoWarmup(id).ToProblem();
        var action = request.Action?.Trim().ToLowerInvariant();
        var errors = new FieldErrors();
        if (action is null || !Actions.Contains(action))
            errors.Add("action", $"must be one of {string.Join(", ", Actions)}");
        if (string.IsNullOrWhiteSpace(request.Reason))
            errors.Add("reason", "say why: it is recorded with the decision");
        if (action == "skip_to_day" && (request.Day is not { } day || day < 1 || day > state.Plan.Days))
            errors.Add("day", $"must be between 1 and {state.Plan.Days}");
        if (request.Hours is < 1 or > 24 * 90)
            errors.Add("hours", "must be between 1 and 2160");
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var now = clock.GetUtcNow();
        if (Apply(state, action!, request, now, options) is { } refused)
            return refused.ToProblem();
        state.UpdatedAt = now;
        state.Version++;
        var decision = WarmupEngine.Decision(state, now, DecisionKind.Override, $"{action}: {request.Reason!.Trim()}",
            WarmupFiguresJson.Serialize(new { action, request.Day, request.Hours, paused_until = state.PausedUntil, hold_until = state.HoldUntil }),
            actor: user.Identity?.Name ?? "operator");
        db.Add(decision);
        await db.SaveChangesAsync(ct);
        if (action != "hold")
            await deployment.DeployAsync([decision], decision.Actor, ct);
        return TypedResults.Ok(await GetWarmup.ViewAsync(db, state.Ip, state, options, null, ct));
    }

    private static Failure? Apply(IpWarmup state, string action, WarmupOverrideRequest request, DateTimeOffset now, WarmupOptions options)
    {
        var running = state.Phase == WarmupPhase.Running;
        switch (action)
        {
            case "pause" when running:
                state.Phase = WarmupPhase.Paused;
                state.PausedUntil = request.Hours is { } hours ? now.AddHours(hours) : null;
                return Move(state, IpStatus.Paused, now);
            case "resume" when state.Phase is WarmupPhase.Paused or WarmupPhase.Quarantined:
                state.Phase = WarmupPhase.Running;
                state.PausedUntil = null;
                state.HoldUntil = null;
                state.WindowStart = now;
                state.LastPeriod = options.PeriodOf(now);
                return Move(state, IpStatus.Warming, now);
            case "skip_to_day" when state.Phase != WarmupPhase.Completed:
                state.SendingDay = request.Day!.Value;
                state.SetAllSteps(request.Day.Value);
                return null;
            case "hold" when running:
                state.HoldUntil = now.AddHours(request.Hours ?? 24);
                return null;
            case "complete" when state.Phase != WarmupPhase.Completed:
                state.Phase = WarmupPhase.Completed;
                state.PausedUntil = null;
                return Move(state, IpStatus.Active, now);
            default:
                return new Failure.Conflict($"cannot {action.Replace('_', ' ')}: the warmup is {state.Phase.ToString().ToLowerInvariant()}");
        }
    }

    private static Failure? Move(IpWarmup state, IpStatus status, DateTimeOffset now)
    {
        if (!IpStatuses.CanMove(state.Ip.Status, status))
            return new Failure.Conflict($"IP {state.Ip.Address} cannot move from {IpStatuses.ToWire(state.Ip.Status)} to {IpStatuses.ToWire(status)}");
        state.Ip.Status = status;
        state.Ip.UpdatedAt = now;
        return null;
    }
}
