using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

public sealed record DeployRequest(bool? DryRun);

public sealed record DeploymentResponse(long Id, string Host, string Actor, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string ConfigSha256, string Diff, string Log, string? Error, string? BackupPath)
{
    public static DeploymentResponse From(Deployment d) => new(d.Id, d.Host, d.Actor, DeploymentStatuses.ToWire(d.Status), d.StartedAt, d.FinishedAt,
        d.ConfigSha256, d.Diff, d.Log, d.Error, d.BackupPath);
}

/// <summary>A deployment to every host: one deployment per host, each on its own (<c>all_live</c>: every one went live).</summary>
public sealed record DeployAllResponse(bool AllLive, IReadOnlyList<DeploymentResponse> Hosts);

/// <summary>
/// <c>/api/v1/pmta</c> (operator): render, diff, validate, deploy and watch the config of one PowerMTA host, named by
/// <c>?host=</c> (the default host when left out); <c>POST /deploy-all</c> deploys every host.
/// </summary>
public static class PmtaEndpoints
{
    public static IEndpointRouteBuilder MapPmtaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pmta").WithTags("PowerMTA").RequireOperator()
            .AddEndpointFilter<EmailEngine.Dkim.DkimUnavailableFilter>();
        group.MapGet("/config", GetConfig).WithName("GetPmtaConfig")
            .Produces<string>(200, "text/plain").ProducesValidationProblem();
        group.MapGet("/config/diff", GetDiff).WithName("GetPmtaConfigDiff")
            .Produces<string>(200, "text/plain").ProducesValidationProblem();
        group.MapPost("/config/validate", ConfigApi.Validate).WithName("ValidatePmtaConfig")
            .Produces<ValidationResponse>().ProducesValidationProblem();
        group.MapPost("/import-v1", ConfigApi.ImportV1).WithName("ImportPmtaV1Config")
            .Produces<ImportResponse>(201).Produces<ImportResponse>().ProducesValidationProblem();
        group.MapGet("/base", ConfigApi.GetBase).WithName("GetPmtaBase")
            .Produces<BaseResponse>();
        // A deployment that did not go live is reported with its log: 409 while another one runs, 502 when the host failed it.
        group.MapPost("/deploy", Deploy).WithName("DeployPmtaConfig")
            .Produces<DeploymentResponse>().Produces<DeploymentResponse>(409).Produces<DeploymentResponse>(502).ProducesValidationProblem();
        // 502 when a host's deployment did not go live; the others went ahead regardless.
        group.MapPost("/deploy-all", DeployAll).WithName("DeployPmtaConfigToAllHosts")
            .Produces<DeployAllResponse>().Produces<DeployAllResponse>(502).ProducesValidationProblem();
        group.MapGet("/deployments", ListDeployments).WithName("ListPmtaDeployments")
            .Produces<ItemList<DeploymentResponse>>().ProducesValidationProblem();
        group.MapGet("/sync", GetSync).WithName("GetPmtaSync")
            .Produces<ConfigSyncState>().ProducesValidationProblem();
        return app;
    }

    /// <summary>The config the host's IPs produce now, as PowerMTA reads it.</summary>
    public static async Task<IResult> GetConfig(string? host, PmtaHostDirectory hosts, PmtaRendering rendering, CancellationToken ct)
    {
        var target = await hosts.ResolveAsync(host, ct);
        return target.IsSuccess ? TypedResults.Text((await rendering.RenderAsync(target.Value!, ct)).Config, "text/plain") : target.Error!.ToProblem();
    }

    /// <summary>Against the host's last successful deployment (no host contacted; a dry-run deploy diffs against the live file).</summary>
    public static async Task<IResult> GetDiff(string? host, PmtaHostDirectory hosts, PmtaRendering rendering, ConfigDeployer deployer, CancellationToken ct)
    {
        var target = await hosts.ResolveAsync(host, ct);
        if (!target.IsSuccess)
            return target.Error!.ToProblem();
        var (config, _) = await rendering.RenderAsync(target.Value!, ct);
        var last = await deployer.LastSucceededAsync(target.Value!, ct);
        return TypedResults.Text(LineDiff.Unified(ConfigDeployer.WithoutStamp(last?.ConfigText), ConfigDeployer.WithoutStamp(config)!,
            last is null ? "(never deployed)" : $"deployment {last.Id}", "rendered"), "text/plain");
    }

    /// <summary>Renders and ships the host's config over SSH with backup, test, reload, status check and automatic rollback.</summary>
    public static async Task<IResult> Deploy(string? host, DeployRequest? request, ClaimsPrincipal user, PmtaHostDirectory hosts,
        PmtaRendering rendering, ConfigDeployer deployer, CancellationToken ct)
    {
        var target = await hosts.ResolveAsync(host, ct);
        if (!target.IsSuccess)
            return target.Error!.ToProblem();
        var deployment = await deployer.DeployAsync(await rendering.BundleAsync(target.Value!, ct), ActorOf(user), request?.DryRun ?? false, ct);
        var body = DeploymentResponse.From(deployment);
        return deployment.Status switch
        {
            _ when WentThrough(deployment) => TypedResults.Ok(body),
            _ when deployment.Error?.StartsWith("another deployment", StringComparison.Ordinal) == true => TypedResults.Conflict(body),
            _ => TypedResults.Json(body, statusCode: StatusCodes.Status502BadGateway),
        };
    }

    /// <summary>
    /// Every host in turn (<see cref="PmtaHostDirectory.DeployTargetsAsync"/>), each with its own deployment, lock and
    /// rollback: one that fails leaves the others as they go.
    /// </summary>
    public static async Task<IResult> DeployAll(DeployRequest? request, ClaimsPrincipal user, PmtaHostDirectory hosts, PmtaRendering rendering,
        ConfigDeployer deployer, CancellationToken ct)
    {
        var deployments = new List<Deployment>();
        foreach (var host in await hosts.DeployTargetsAsync(ct))
            deployments.Add(await deployer.DeployAsync(await rendering.BundleAsync(host, ct), ActorOf(user), request?.DryRun ?? false, ct));
        var all = new DeployAllResponse(deployments.All(WentThrough), deployments.Select(DeploymentResponse.From).ToList());
        return all.AllLive ? TypedResults.Ok(all) : TypedResults.Json(all, statusCode: StatusCodes.Status502BadGateway);
    }

    private static string ActorOf(ClaimsPrincipal user) => user.Identity?.Name ?? "operator";

    private static bool WentThrough(Deployment deployment) =>
        deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged or DeploymentStatus.DryRun;

    /// <summary>Is what should be live on the host live? Desired and live config hashes, retries, and stops that have not gone live.</summary>
    public static async Task<IResult> GetSync(string? host, PmtaHostDirectory hosts, ConfigReconciler reconciler, CancellationToken ct)
    {
        var target = await hosts.ResolveAsync(host, ct);
        return target.IsSuccess ? TypedResults.Ok(await reconciler.CheckAsync(target.Value!, deploy: false, ct)) : target.Error!.ToProblem();
    }

    /// <summary>The last 50 deployments, of every host or of the one named.</summary>
    public static async Task<IResult> ListDeployments(string? host, PmtaHostDirectory hosts, AppDbContext db, CancellationToken ct)
    {
        var query = db.Set<Deployment>().AsNoTracking();
        if (host is not null)
        {
            var target = await hosts.ResolveAsync(host, ct);
            if (!target.IsSuccess)
                return target.Error!.ToProblem();
            query = query.Where(d => d.Host == target.Value!.Name);
        }
        return TypedResults.Ok(new ItemList<DeploymentResponse>(
            (await query.OrderByDescending(d => d.Id).Take(50).ToListAsync(ct)).Select(DeploymentResponse.From)));
    }
}
