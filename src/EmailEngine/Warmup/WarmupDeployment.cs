using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

/// <summary>
/// Ships the limits decisions produced through the ordinary deploy path (render, backup, swap, <c>pmta test config</c>,
/// reload, rollback), to each PowerMTA host an IP of the decisions is on. A config PowerMTA rejects is rolled back by
/// the deployer, so it never goes live; the outcome of its host's deployment is written on each decision either way,
/// so a decision whose limits did not reach PowerMTA says so.
/// </summary>
public sealed class WarmupDeployment(AppDbContext db, PmtaRendering rendering, ConfigDeployer deployer, PmtaHostDirectory hosts,
    ILogger<WarmupDeployment> logger)
{
    public Task<Deployment> DeployAsync(IReadOnlyList<WarmupDecision> decisions, string actor, CancellationToken ct) =>
        DeployAsync(decisions, [], actor, ct);

    /// <param name="otherChangedIps">IPs changed without a decision of their own (a listed IP taken out): their hosts are deployed too.</param>
    /// <returns>The deployment that did not go live if one did not, else the last one: the outcome in one.</returns>
    public async Task<Deployment> DeployAsync(IReadOnlyList<WarmupDecision> decisions, IReadOnlyCollection<long> otherChangedIps, string actor,
        CancellationToken ct)
    {
        var ipIds = decisions.Select(d => d.IpId).Concat(otherChangedIps).Distinct().ToList();
        var hostOfIp = await db.Set<SendingIp>().AsNoTracking().Where(ip => ipIds.Contains(ip.Id))
            .ToDictionaryAsync(ip => ip.Id, ip => ip.HostName, ct);
        string HostOf(long ipId) => hostOfIp.GetValueOrDefault(ipId, PmtaHostOptions.DefaultName);
        var hostNames = ipIds.Select(HostOf).Distinct().DefaultIfEmpty(PmtaHostOptions.DefaultName);
        var deployments = new List<Deployment>();
        foreach (var name in hostNames)
        {
            var host = await hosts.FindAsync(name, ct) ?? hosts.Default;
            // The same bundle as an operator's deploy: the config and the DKIM keys it names.
            var deployment = await deployer.DeployAsync(await rendering.BundleAsync(host, ct), actor, dryRun: false, ct);
            var onHost = decisions.Where(d => HostOf(d.IpId) == name).ToList();
            foreach (var decision in onHost)
            {
                decision.DeploymentId = deployment.Id;
                decision.DeploymentStatus = DeploymentStatuses.ToWire(deployment.Status);
                decision.DeploymentError = deployment.Error;
            }
            if (!Deployed(deployment))
                logger.LogWarning("Warmup limits of {Count} decision(s) not deployed to {Host} (deployment {Id}: {Status}: {Error}); PowerMTA keeps its previous limits",
                    onHost.Count, host.Name, deployment.Id, DeploymentStatuses.ToWire(deployment.Status), deployment.Error);
            deployments.Add(deployment);
        }
        await db.SaveChangesAsync(CancellationToken.None); // the outcome must be recorded even if the caller gave up
        return deployments.FirstOrDefault(d => !Deployed(d)) ?? deployments[^1];
    }

    public static bool Deployed(Deployment deployment) => deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged;
}
