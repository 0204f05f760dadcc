using EmailEngine.Auth;
using EmailEngine.Http;

namespace EmailEngine.Warmup;

public sealed record WarmupRunResponse(DateOnly Period, string? Skipped, IReadOnlyList<DecisionView> Decisions, long? DeploymentId,
    string? DeploymentStatus, string? DeploymentError);

public static class WarmupEndpoints
{
    /// <summary>Warmup acts on shared infrastructure (IPs, PowerMTA): operator key only.</summary>
    public static IEndpointRouteBuilder MapWarmupEndpoints(this IEndpointRouteBuilder app)
    {
        var ips = app.MapGroup("/api/v1/ips/{id:long}/warmup").WithTags("Warmup").RequireAuthorization(AuthSetup.OperatorPolicy);
        ips.MapGet("/", GetWarmup.Handle).WithName("GetIpWarmup");
        ips.MapPost("/", StartWarmup.Handle).WithName("StartIpWarmup");
        ips.MapPost("/override", OverrideWarmup.Handle).WithName("OverrideIpWarmup");

        var warmup = app.MapGroup("/api/v1/warmup").WithTags("Warmup").RequireAuthorization(AuthSetup.OperatorPolicy);
        warmup.MapGet("/plans", WarmupPlans.List).WithName("ListWarmupPlans");
        warmup.MapPost("/plans", WarmupPlans.Create).WithName("CreateWarmupPlan");
        warmup.MapPost("/run", Run).WithName("RunWarmup");
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
