using EmailEngine.Http;

namespace EmailEngine.Warmup;

public sealed record WarmupRunResponse(DateOnly Period, string? Skipped, IReadOnlyList<DecisionView> Decisions, long? DeploymentId,
    string? DeploymentStatus, string? DeploymentError);

public static class WarmupEndpoints
{
    /// <summary>Warmup acts on shared infrastructure (IPs, PowerMTA): operator key only.</summary>
    public static IEndpointRouteBuilder MapWarmupEndpoints(this IEndpointRouteBuilder app)
    {
        var ips = app.MapGroup("/api/v1/ips/{id:long}/warmup").WithTags("Warmup").RequireOperator();
        ips.MapGet("/", GetWarmup.Handle).WithName("GetIpWarmup")
            .Produces<WarmupView>().ProducesProblem(404);
        // 409: the IP's status cannot move to warming (or, for an override, the warmup's phase does not allow the action).
        ips.MapPost("/", StartWarmup.Handle).WithName("StartIpWarmup")
            .Produces<WarmupView>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        ips.MapPost("/override", OverrideWarmup.Handle).WithName("OverrideIpWarmup")
            .Produces<WarmupView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);

        var warmup = app.MapGroup("/api/v1/warmup").WithTags("Warmup").RequireOperator();
        warmup.MapGet("/plans", WarmupPlans.List).WithName("ListWarmupPlans")
            .Produces<ItemList<PlanResponse>>();
        warmup.MapPost("/plans", WarmupPlans.Create).WithName("CreateWarmupPlan")
            .Produces<PlanResponse>(201).ProducesValidationProblem().ProducesValidationProblem(409);
        warmup.MapPost("/run", Run).WithName("RunWarmup")
            .Produces<WarmupRunResponse>();
        warmup.MapGet("/capacity", async (SendingCapacity capacity, CancellationToken ct) => TypedResults.Ok(await capacity.ViewAsync(ct)))
            .WithName("GetSendingCapacity");
        return app;
    }

    /// <summary>Takes the decisions that are due now (each IP's period is decided once; a second call finds nothing due).</summary>
    public static async Task<IResult> Run(WarmupEngine engine, CancellationToken ct) =>
        TypedResults.Ok(ToResponse(await engine.RunDueAsync(ct)));

    public static WarmupRunResponse ToResponse(WarmupRunResult result) => new(result.Period, result.Skipped,
        result.Decisions.Select(DecisionView.From).ToList(), result.Deployment?.Id,
        result.Deployment is { } d ? PowerMta.Deploy.DeploymentStatuses.ToWire(d.Status) : null, result.Deployment?.Error);
}
