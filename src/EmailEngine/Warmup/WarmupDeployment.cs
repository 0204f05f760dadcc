using EmailEngine.Data;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Deploy;

namespace EmailEngine.Warmup;

/// <summary>
/// Ships the limits decisions produced through the ordinary deploy path (render, backup, swap, <c>pmta test config</c>,
/// reload, rollback). A config PowerMTA rejects is rolled back by the deployer, so it never goes live; the outcome is
/// written on each decision either way, so a decision whose limits did not reach PowerMTA says so.
/// </summary>
public sealed class WarmupDeployment(AppDbContext db, PmtaRendering rendering, ConfigDeployer deployer, ILogger<WarmupDeployment> logger)
{
    public async Task<Deployment> DeployAsync(IReadOnlyList<WarmupDecision> decisions, string actor, CancellationToken ct)
    {
        // The same bundle as an operator's deploy: the config and the DKIM keys it names.
        var deployment = await deployer.DeployAsync(await rendering.BundleAsync(ct), actor, dryRun: false, ct);
        foreach (var decision in decisions)
        {
            decision.DeploymentId = deployment.Id;
            decision.DeploymentStatus = DeploymentStatuses.ToWire(deployment.Status);
            decision.DeploymentError = deployment.Error;
        }
        await db.SaveChangesAsync(CancellationToken.None); // the outcome must be recorded even if the caller gave up
        if (!Deployed(deployment))
            logger.LogWarning("Warmup limits of {Count} decision(s) not deployed (deployment {Id}: {Status}: {Error}); PowerMTA keeps its previous limits",
                decisions.Count, deployment.Id, DeploymentStatuses.ToWire(deployment.Status), deployment.Error);
        return deployment;
    }

    public static bool Deployed(Deployment deployment) => deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged;
}
