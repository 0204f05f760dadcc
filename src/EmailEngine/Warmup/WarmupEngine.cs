using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Ips;
using EmailEngine.Locks;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

public sealed record WarmupRunResult(DateOnly Period, IReadOnlyList<WarmupDecision> Decisions, Deployment? Deployment, string? Skipped);

/// <summary>
/// Takes each warming IP's daily decision once per period (a sending day starting at <c>WARMUP_RUN_AT</c>):
/// resumes pauses that are over, evaluates the gates on the day's outcomes, moves steps and statuses, records every
/// decision with its figures, then deploys the new PowerMTA limits once for the whole run. Runs under a distributed
/// lock, and each IP's period is claimed with an optimistic version check, so several engine instances decide it once.
/// </summary>
public sealed class WarmupEngine(AppDbContext db, WarmupOptions options, IDistributedLock locks, WarmupDeployment deployment,
    TimeProvider clock, ILogger<WarmupEngine> logger, IWarmupOutcomes outcomes)
{
    public const string LockName = "warmup-run";
    public const string Actor = "warmup-engine";

    public async Task<WarmupRunResult> RunDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var period = options.PeriodOf(now);
        await using var held = await locks.TryAcquireAsync(LockName, TimeSpan.FromMinutes(10), ct);
        if (held is null)
            return new(period, [], null, "another warmup run is in progress");

        var states = await db.Set<IpWarmup>().Include(w => w.Ip).Where(w => w.Phase != WarmupPhase.Completed)
            .OrderBy(w => w.IpId).ToListAsync(ct);
        // Every warming IP's day is judged on figures read at once, not IP by IP.
        var judged = states.Where(s => s.Phase == WarmupPhase.Running && s.LastPeriod < period && s.Ip.Status == IpStatus.Warming)
            .Select(s => (s.Ip.VmtaName, s.WindowStart)).ToList();
        var figures = await WarmupFigures.CollectManyAsync(outcomes, judged, options.PeriodStart(now), ct);
        var decisions = new List<WarmupDecision>();
        foreach (var state in states)
        {
            var before = (state.Phase, state.LastPeriod);
            var taken = await DecideAsync(state, period, now, figures, ct);
            if (taken.Count == 0 && before == (state.Phase, state.LastPeriod))
                continue;
            state.Version++;
            state.UpdatedAt = now;
            db.AddRange(taken);
            try
            {
                await db.SaveChangesAsync(ct);
                decisions.AddRange(taken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Another instance decided this IP's period first; its decision stands. Forget only this IP's changes:
                // the other states of this run are still tracked and must still be saved.
                logger.LogInformation("Warmup of IP {Id}: period {Period} already decided elsewhere", state.IpId, period);
                foreach (var entity in taken.Cast<object>().Append(state).Append(state.Ip))
                    db.Entry(entity).State = EntityState.Detached;
            }
        }
        // Holds alone change nothing PowerMTA enforces; every other decision moves a step or a status.
        var deployed = decisions.Any(d => d.Kind != DecisionKind.Hold) ? await deployment.DeployAsync(decisions, Actor, ct) : null;
        return new(period, decisions, deployed, null);
    }

    /// <summary>Whether some warming IP has a day's decision to take now (resuming a pause needs no outcomes).</summary>
    public Task<bool> DayDecisionDueAsync(CancellationToken ct)
    {
        var period = options.PeriodOf(clock.GetUtcNow());
        return db.Set<IpWarmup>().AnyAsync(w => w.Phase == WarmupPhase.Running && w.LastPeriod < period && w.Ip.Status == IpStatus.Warming, ct);
    }

    private async Task<List<WarmupDecision>> DecideAsync(IpWarmup state, DateOnly period, DateTimeOffset now,
        IReadOnlyDictionary<string, WarmupFigures> collected, CancellationToken ct)
    {
        if (state.Phase is WarmupPhase.Paused or WarmupPhase.Quarantined)
            return state.PausedUntil is { } until && until <= now ? [Resume(state, now)] : [];
        if (state.LastPeriod >= period)
            return [];
        state.LastPeriod = period;
        if (state.Ip.Status != IpStatus.Warming)
            return []; // taken out of sending by hand (standby, paused…): not a sending day

        // The day's verdict on the day's outcomes: what the new period already sent is judged at its own end, however late
        // this run comes (an accounting pull takes time), so the verdict does not depend on the run's lateness.
        var figures = collected.GetValueOrDefault(state.Ip.VmtaName)
            ?? await WarmupFigures.CollectAsync(outcomes, state.Ip.VmtaName, state.WindowStart, options.PeriodStart(now), ct);
        var verdict = WarmupGates.Evaluate(figures, options);
        var json = WarmupFiguresJson.Serialize(WarmupFiguresJson.Of(figures, options));
        switch (verdict.Kind)
        {
            case DecisionKind.Quarantine:
                Stop(state, WarmupPhase.Quarantined, IpStatus.Quarantined, now, verdict.StopFor!.Value);
                return [Decision(state, now, DecisionKind.Quarantine, $"{verdict.Reason}: quarantined until {state.PausedUntil:u}", json)];
            case DecisionKind.Pause:
                Stop(state, WarmupPhase.Paused, IpStatus.Paused, now, verdict.StopFor!.Value);
                return [Decision(state, now, DecisionKind.Pause, $"{verdict.Reason}, until {state.PausedUntil:u}; resumes at sending day {state.SendingDay}", json)];
            default:
                return Advance(state, verdict, figures, json, now);
        }
    }

    private List<WarmupDecision> Advance(IpWarmup state, GateVerdict verdict, WarmupFigures figures, string json, DateTimeOffset now)
    {
        if (state.HoldUntil > now)
        {
            state.SendingDay++;
            return [Decision(state, now, DecisionKind.Hold, $"operator hold until {state.HoldUntil:u}; {verdict.Reason}", json)];
        }
        var days = state.Plan.Days;
        if (verdict.Holds.Count == 0 && IspGroups.All.All(g => state.StepOf(g) >= days))
        {
            state.Phase = WarmupPhase.Completed;
            state.Ip.Status = IpStatus.Active;
            state.Ip.UpdatedAt = now;
            return [Decision(state, now, DecisionKind.Complete, $"{verdict.Reason}; plan {state.PlanName} finished: IP active", json)];
        }

        var decisions = new List<WarmupDecision>();
        foreach (var group in IspGroups.All)
        {
            if (verdict.Holds.FirstOrDefault(h => h.Group == group) is { } hold)
                decisions.Add(Decision(state, now, DecisionKind.Hold, hold.Reason,
                    WarmupFiguresJson.Serialize(WarmupFiguresJson.OfGroup(figures, group, options)), group));
            else
                state.SetStep(group, Math.Min(state.StepOf(group) + 1, days));
        }
        state.SendingDay++;
        foreach (var decision in decisions)
            decision.SendingDay = state.SendingDay;
        if (verdict.Holds.Count < IspGroups.All.Count)
            decisions.Insert(0, Decision(state, now, DecisionKind.Advance,
                $"{verdict.Reason}; sending day {state.SendingDay}: {WarmupPacing.DailyQuota(state)}/day", json));
        return decisions;
    }

    private static void Stop(IpWarmup state, WarmupPhase phase, IpStatus status, DateTimeOffset now, TimeSpan duration)
    {
        state.Phase = phase;
        state.PausedUntil = now + duration;
        state.Ip.Status = status;
        state.Ip.UpdatedAt = now;
    }

    /// <summary>
    /// A pause resumes at the step it stopped at (the day that tripped the gate is sent again); after a quarantine the
    /// IP's reputation is damaged, so the plan starts over.
    /// </summary>
    private WarmupDecision Resume(IpWarmup state, DateTimeOffset now)
    {
        var afterQuarantine = state.Phase == WarmupPhase.Quarantined;
        if (afterQuarantine)
        {
            state.SetAllSteps(1);
            state.SendingDay = 1;
        }
        state.Phase = WarmupPhase.Running;
        state.PausedUntil = null;
        state.WindowStart = now;
        state.LastPeriod = options.PeriodOf(now);
        if (state.Ip.Status is IpStatus.Paused or IpStatus.Quarantined)
        {
            state.Ip.Status = IpStatus.Warming;
            state.Ip.UpdatedAt = now;
        }
        return Decision(state, now, DecisionKind.Resume, afterQuarantine
            ? "quarantine over: the plan starts again at day 1"
            : $"pause over: resumes at sending day {state.SendingDay} ({WarmupPacing.DailyQuota(state)}/day), its day kept", "{}");
    }

    internal static WarmupDecision Decision(IpWarmup state, DateTimeOffset now, DecisionKind kind, string reason, string figures,
        IspGroup? group = null, string actor = Actor) => new()
    {
        IpId = state.IpId, At = now, Kind = kind, Group = group, SendingDay = state.SendingDay,
        Step = group is { } g ? state.StepOf(g) : WarmupPacing.IpStep(state), Reason = reason, Figures = figures, Actor = actor,
    };
}
