using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;
using Microsoft.AspNetCore.Mvc;

namespace EmailEngine.WebConsole.Pages.PowerMta;

/// <summary>The config the IPs produce, its diff against the last deployment, deployments with their step logs, and
/// deploying: a dry run first (diff against the live file, <c>pmta</c> check on the host), then a confirmed deploy.</summary>
public sealed class IndexModel(AppDbContext db, PmtaRendering rendering, ConfigDeployer deployer, ConfigReconciler reconciler,
    PmtaHostDirectory hosts, ImportBase bases) : ConsolePage
{
    /// <summary>The host shown and deployed (<c>?host=</c>); the default host when none or an unknown one is named.</summary>
    [BindProperty(Name = "host", SupportsGet = true)]
    public string? Host { get; set; }
    public IReadOnlyList<string> HostNames { get; private set; } = [];
    public string Config { get; private set; } = "";
    /// <summary>Whether the config that should be live is, as the reconciler sees it (from the deployments: no SSH).</summary>
    public ConfigSyncState Sync { get; private set; } = null!;
    public string Diff { get; private set; } = "";
    public IReadOnlyList<DeploymentResponse> Deployments { get; private set; } = [];
    public BaseResponse Bases { get; private set; } = null!;
    /// <summary>The dry run just made, shown above the confirm button.</summary>
    public DeploymentResponse? DryRun { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostDeployAsync(bool dryRun, bool confirm, CancellationToken ct)
    {
        if (!dryRun && !confirm)
            return Unconfirmed();
        var outcome = await PmtaEndpoints.Deploy(await HostShownAsync(ct), new DeployRequest(dryRun), User, hosts, rendering, deployer, ct);
        var deployment = ApiOutcome.Value<DeploymentResponse>(outcome);
        if (dryRun && deployment is { Status: "dry_run" })
        {
            DryRun = deployment;
            await LoadAsync(ct);
            return Page();
        }
        if (deployment is not null && deployment.Status is "succeeded" or "unchanged" or "dry_run")
            TempData["done"] = string.Format(Text["done.deployed"], deployment.Id, Text["deploy.status." + deployment.Status]);
        else
            TempData["error"] = deployment is null ? ApiOutcome.Problem(outcome) : $"#{deployment.Id}: {deployment.Error}";
        return RedirectToPage(new { host = Host });
    }

    private async Task<string> HostShownAsync(CancellationToken ct) => Host = (await hosts.FindAsync(Host, ct) ?? hosts.Default).Name;

    private async Task LoadAsync(CancellationToken ct)
    {
        var host = await HostShownAsync(ct);
        HostNames = (await hosts.AllAsync(ct)).Select(h => h.Name).ToList();
        Config = ApiOutcome.Text(await PmtaEndpoints.GetConfig(host, hosts, rendering, ct));
        Sync = ApiOutcome.Expect<ConfigSyncState>(await PmtaEndpoints.GetSync(host, hosts, reconciler, ct));
        Diff = ApiOutcome.Text(await PmtaEndpoints.GetDiff(host, hosts, rendering, deployer, ct));
        Deployments = ApiOutcome.Expect<ItemList<DeploymentResponse>>(await PmtaEndpoints.ListDeployments(host, hosts, db, ct)).Items.ToList();
        Bases = ApiOutcome.Expect<BaseResponse>(await ConfigApi.GetBase(bases, ct));
    }
}
