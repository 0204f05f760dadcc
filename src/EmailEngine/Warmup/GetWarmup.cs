using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

public sealed record IspQuota(int Step, int Quota, string MaxMsgRate);

public sealed record TodayQuota(int Quota, string VmtaMaxMsgRate, IReadOnlyDictionary<string, IspQuota> Isp);

public sealed record DecisionView(long Id, DateTimeOffset At, string Kind, string? Group, int SendingDay, int Step, string Reason,
    JsonElement Figures, string Actor, long? DeploymentId, string? DeploymentStatus, string? DeploymentError)
{
    public static DecisionView From(WarmupDecision d) => new(d.Id, d.At, d.Kind.ToString().ToLowerInvariant(), d.Group?.Name(), d.SendingDay,
        d.Step, d.Reason, JsonDocument.Parse(d.Figures).RootElement.Clone(), d.Actor, d.DeploymentId, d.DeploymentStatus, d.DeploymentError);
}

public sealed record WarmupView(long IpId, string Ip, string Vmta, string Status, string Phase, PlanResponse Plan, int SendingDay, int Step,
    TodayQuota Today, DateTimeOffset? PausedUntil, DateTimeOffset? HoldUntil, DateTimeOffset WindowStart, DateOnly? LastPeriod,
    JsonElement? Rates, IReadOnlyList<DecisionView> History);

/// <summary>An IP's warmup: plan, sending day, today's quotas and rates, the current figures against the gates, history.</summary>
public static class GetWarmup
{
    public static async Task<IResult> Handle(long id, AppDbContext db, WarmupOptions options, TimeProvider clock,
        IWarmupOutcomes outcomes, CancellationToken ct)
    {
        var state = await db.Set<IpWarmup>().AsNoTracking().Include(w => w.Ip).SingleOrDefaultAsync(w => w.IpId == id, ct);
        if (state is null)
            return (await db.Set<SendingIp>().AnyAsync(i => i.Id == id, ct) ? NoWarmup(id) : GetIp.NotFound(id)).ToProblem();
        var figures = await WarmupFigures.CollectAsync(outcomes, state.Ip.VmtaName, state.WindowStart, clock.GetUtcNow(), ct);
        return TypedResults.Ok(await ViewAsync(db, state.Ip, state, options, figures, ct));
    }

    internal static Failure NoWarmup(long id) => new Failure.NotFound($"IP {id} has no warmup; start one with POST /api/v1/ips/{id}/warmup.");

    public static async Task<WarmupView> ViewAsync(AppDbContext db, SendingIp ip, IpWarmup state, WarmupOptions options, WarmupFigures? figures,
        CancellationToken ct)
    {
        var history = await db.Set<WarmupDecision>().AsNoTracking().Where(d => d.IpId == ip.Id).OrderByDescending(d => d.Id).Take(200).ToListAsync(ct);
        var isp = IspGroups.All.ToDictionary(g => g.Name(), g =>
        {
            var quota = WarmupPacing.GroupQuota(state, g, options);
            return new IspQuota(state.StepOf(g), quota, WarmupPacing.Rate(quota));
        });
        var daily = WarmupPacing.DailyQuota(state);
        return new WarmupView(ip.Id, ip.Address, ip.VmtaName, IpStatuses.ToWire(ip.Status), state.Phase.ToString().ToLowerInvariant(),
            PlanResponse.From(state.Plan), state.SendingDay, WarmupPacing.IpStep(state),
            new TodayQuota(daily, WarmupPacing.Rate(daily), isp), state.PausedUntil, state.HoldUntil, state.WindowStart, state.LastPeriod,
            figures is null ? null : JsonDocument.Parse(WarmupFiguresJson.Serialize(WarmupFiguresJson.Of(figures, options))).RootElement.Clone(),
            history.Select(DecisionView.From).ToList());
    }
}
