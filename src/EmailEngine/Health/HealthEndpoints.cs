using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using Microsoft.AspNetCore.Http.HttpResults;

namespace EmailEngine.Health;

public sealed record LivenessReport(string Status);
public sealed record ReadinessReport(string Status, DatabaseCheck Database, FleetCheck Ips);
public sealed record DatabaseCheck(string Target, bool Reachable, int Applied, IReadOnlyList<string> Pending, string? Action, string? Error);
public sealed record FleetCheck(int Registered, int Expected);

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", Liveness).WithName("GetHealth").AllowAnonymous().WithTags("Health");
        app.MapGet("/ready", Readiness).WithName("GetReadiness").AllowAnonymous().WithTags("Health")
            .Produces<ReadinessReport>().Produces<ReadinessReport>(503);
        return app;
    }

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
