using System.Security.Claims;
using EmailEngine.Auth;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

public sealed record DeployRequest(bool? DryRun);

public sealed record DeploymentResponse(long Id, string Actor, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string ConfigSha256, string Diff, string Log, string? Error, string? BackupPath)
{
    public static DeploymentResponse From(Deployment d) => new(d.Id, d.Actor, DeploymentStatuses.ToWire(d.Status), d.StartedAt, d.FinishedAt,
        d.ConfigSha256, d.Diff, d.Log, d.Error, d.BackupPath);
}

public static class PmtaEndpoints
{
    public static IEndpointRouteBuilder MapPmtaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pmta").WithTags("PowerMTA").RequireOperator()
            .AddEndpointFilter<EmailEngine.Dkim.DkimUnavailableFilter>();
        group.MapGet("/config", GetConfig).WithName("GetPmtaConfig")
            .Produces<string>(200, "text/plain");
        group.MapGet("/config/diff", GetDiff).WithName("GetPmtaConfigDiff")
            .Produces<string>(200, "text/plain");
        group.MapPost("/config/validate", ConfigApi.Validate).WithName("ValidatePmtaConfig")
            .Produces<ValidationResponse>().ProducesValidationProblem();
        group.MapPost("/import-v1", ConfigApi.ImportV1).WithName("ImportPmtaV1Config")
            .Produces<ImportResponse>(201).Produces<ImportResponse>().ProducesValidationProblem();
        group.MapGet("/base", ConfigApi.GetBase).WithName("GetPmtaBase")
            .Produces<BaseResponse>();
        // A deployment that did not go live is reported with its log: 409 while another one runs, 502 when the host failed it.
        group.MapPost("/deploy", Deploy).WithName("DeployPmtaConfig")
            .Produces<DeploymentResponse>().Produces<DeploymentResponse>(409).Produces<DeploymentResponse>(502).ProducesValidationProblem();
        group.MapGet("/deployments", ListDeployments).WithName("ListPmtaDeployments")
            .Produces<ItemList<DeploymentResponse>>();
        group.MapGet("/sync", GetSync).WithName("GetPmtaSync")
            .Produces<ConfigSyncState>();
        return app;
    }

    /// <summary>The config the registered IPs produce now, as PowerMTA reads it.</summary>
    public static async Task<IResult> GetConfig(PmtaRendering rendering, CancellationToken ct) =>
        TypedResults.Text((await rendering.RenderAsync(ct)).Config, "text/plain");

    /// <summary>Against the last successful deployment (no host contacted; a dry-run deploy diffs against the live file).</summary>
    public static async Task<IResult> GetDiff(PmtaRendering rendering, ConfigDeployer deployer, CancellationToken ct)
    {
        var (config, _) = await rendering.RenderAsync(ct);
        var last = await deployer.LastSucceededAsync(ct);
        return TypedResults.Text(LineDiff.Unified(ConfigDeployer.WithoutStamp(last?.ConfigText), ConfigDeployer.WithoutStamp(config)!,
            last is null ? "(never deployed)" : $"deployment {last.Id}", "rendered"), "text/plain");
    }

    /// <summary>Renders and ships the config over SSH with backup, test, reload, status check and automatic rollback.</summary>
    public static async Task<IResult> Deploy(DeployRequest? request, ClaimsPrincipal user, PmtaRendering rendering, ConfigDeployer deployer,
        CancellationToken ct)
    {
        var deployment = await deployer.DeployAsync(await rendering.BundleAsync(ct), user.Identity?.Name ?? "operator", request?.DryRun ?? false, ct);
        var body = DeploymentResponse.From(deployment);
        return deployment.Status switch
        {
            DeploymentStatus.Succeeded or DeploymentStatus.Unchanged or DeploymentStatus.DryRun => TypedResults.Ok(body),
            _ when deployment.Error?.StartsWith("another deployment", StringComparison.Ordinal) == true => TypedResults.Conflict(body),
            _ => TypedResults.Json(body, statusCode: StatusCodes.Status502BadGateway),
        };
    }

    /// <summary>Is what should be live live? Desired and live config hashes, retries, and stops that have not gone live.</summary>
    public static async Task<IResult> GetSync(ConfigReconciler reconciler, CancellationToken ct) =>
        TypedResults.Ok(await reconciler.CheckAsync(deploy: false, ct));

    public static async Task<IResult> ListDeployments(AppDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new ItemList<DeploymentResponse>(
            (await db.Set<Deployment>().AsNoTracking().OrderByDescending(d => d.Id).Take(50).ToListAsync(ct)).Select(DeploymentResponse.From)));
}
