using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.Health;

public sealed record LivenessReport(string Status);
public sealed record ReadinessReport(string Status, DatabaseCheck Database, FleetCheck Ips);
public sealed record DatabaseCheck(string Target, bool Reachable, int Applied, IReadOnlyList<string> Pending, string? Action, string? Error);
public sealed record FleetCheck(int Registered, int Expected);
public sealed record OperationsCheck(string Name, string Status, string? Description, IReadOnlyDictionary<string, object> Data);
public sealed record OperationsHealthReport(string Status, IReadOnlyList<OperationsCheck> Checks);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Liveness).WithName("GetHealth").AllowAnonymous().WithTags("Health");
        app.MapGet("/ready", Readiness).WithName("GetReadiness").AllowAnonymous().WithTags("Health")
            .Produces<ReadinessReport>().Produces<ReadinessReport>(503);
        return app;
    }

    /// <summary>What needs a hand (operator only: it names IPs and hosts). 200 whatever the state: the state is the answer.</summary>
    public static IEndpointRouteBuilder MapOperationsHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/health", Operations).WithName("GetOperationsHealth").WithTags("Health").RequireOperator()
            .Produces<OperationsHealthReport>();
        return app;
    }

    public static async Task<IResult> Operations(HealthCheckService health, CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(ct);
        return TypedResults.Ok(new OperationsHealthReport(Wire(report.Status), report.Entries.Select(e =>
            new OperationsCheck(e.Key, Wire(e.Value.Status), e.Value.Description ?? e.Value.Exception?.Message, e.Value.Data)).ToList()));
    }

    private static string Wire(HealthStatus status) => status.ToString().ToLowerInvariant();

    public static Ok<LivenessReport> Liveness() => TypedResults.Ok(new LivenessReport("ok"));

    /// <summary>Ready = database reachable, schema current, and the expected IPS_COUNT IPs registered.</summary>
    public static async Task<IResult> Readiness(DatabaseMigrator migrator, DatabaseTarget target, EngineSettings settings,
        IServiceScopeFactory scopes, CancellationToken ct)
    {
        var migrations = await migrator.GetStatusAsync(ct);
        var registered = 0;
        if (migrations.UpToDate)
        {
            await using var scope = scopes.CreateAsyncScope();
            registered = await ListIps.CountRegisteredAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), ct);
        }
        var database = new DatabaseCheck(target.Describe(), migrations.Reachable, migrations.Applied.Count, migrations.Pending,
            migrations.Reachable && !migrations.UpToDate ? "run `email-engine migrate`" : null, migrations.Error);
        var ready = migrations.UpToDate && registered >= settings.IpsCount;
        var report = new ReadinessReport(ready ? "ready" : "not_ready", database, new FleetCheck(registered, settings.IpsCount));
        return ready ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}

public static class OperationsHealthSetup
{
    public static IServiceCollection AddOperationsHealth(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(OperationsHealthOptions.From(settings));
        services.AddHealthChecks()
            .AddCheck<OutboxHealthCheck>("outbox")
            .AddCheck<AccountingHealthCheck>("accounting")
            .AddCheck<DeployHealthCheck>("powermta")
            .AddCheck<PowerMta.Status.PmtaStatusHealthCheck>("powermta-status")
            .AddCheck<WarmupHealthCheck>("warmup")
            .AddCheck<BlocklistHealthCheck>("blocklists")
            .AddCheck<MailWizz.MailWizzHealthCheck>("mailwizz");
        return services;
    }
}
