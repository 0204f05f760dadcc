using EmailEngine.Data;
using EmailEngine.Dkim;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

/// <summary>
/// Renders the config for the registered IPs with the operator's settings: <c>PMTA_HOST_NAME</c>
/// (default mail.{first IP's sending domain}), <c>PMTA_POSTMASTER</c> (postmaster@ that domain), <c>PMTA_RELAY_SOURCES</c>
/// (comma-separated MailWizz host IPs allowed to relay), and each sending domain's active DKIM selector (its domain
/// row and key are created first when missing; see <see cref="DomainRegistry"/>).
/// </summary>
public sealed class PmtaRendering(AppDbContext db, EngineSettings settings, PmtaHostOptions host, DkimOptions dkim, DomainRegistry domains,
    TimeProvider clock)
{
    public async Task<(string Config, IReadOnlyList<SendingIp> Ips)> RenderAsync(CancellationToken ct)
    {
        await domains.EnsureFromIpsAsync(ct);
        var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);
        var domain = ips.Count > 0 ? RenderConfig.SendingDomainOf(ips[0].Domain) : "localhost.localdomain";
        var render = new PmtaRenderSettings(
            settings.Get("PMTA_HOST_NAME") ?? $"mail.{domain}",
            settings.Get("PMTA_POSTMASTER") ?? $"postmaster@{domain}",
            (settings.Get("PMTA_RELAY_SOURCES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            host.DkimDirectory,
            dkim.Selector,
            DomainSelectors: await domains.ActiveSelectorsAsync(ct));
        return (RenderConfig.Render(ips, render, clock.GetUtcNow()), ips);
    }

    /// <summary>The config plus the active and pending DKIM private keys it (and the next rotation) needs on the host.</summary>
    public async Task<DeploymentBundle> BundleAsync(CancellationToken ct)
    {
        var (config, _) = await RenderAsync(ct);
        return new DeploymentBundle(config, await domains.KeyFilesAsync(host.DkimDirectory, ct));
    }
}
