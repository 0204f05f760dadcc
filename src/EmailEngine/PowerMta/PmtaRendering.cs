using EmailEngine.Dkim;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

/// <summary>
/// Renders one PowerMTA host's config for the IPs on that host, with the host's relay sources (the MailWizz hosts),
/// accounting file and DKIM directory, and the operator's settings: <c>PMTA_HOST_NAME</c> (the default host only;
/// default mail.{first IP's sending domain}), <c>PMTA_POSTMASTER</c> (postmaster@ that domain), and each sending
/// domain's active DKIM selector (<c>DKIM_SELECTOR</c> for a domain with no row yet; a deployment creates the missing rows
/// and keys first, see <see cref="DomainRegistry"/>; rendering alone reads only);
/// warming IPs get their day's rates. When a V1 base was imported, the rendered parts are laid over its latest
/// version (<see cref="MergeWithBase"/>).
/// </summary>
public sealed class PmtaRendering(EngineSettings settings, PmtaHostDirectory hosts, DkimOptions dkim, DomainRegistry domains,
    IVmtaLimitsSource limits, TimeProvider clock, ImportBase bases)
{
    public async Task<(string Config, IReadOnlyList<SendingIp> Ips)> RenderAsync(PmtaHostOptions host, CancellationToken ct)
    {
        var ips = await IpsOnAsync(host, ct);
        var config = RenderConfig.Render(ips, await SettingsForAsync(host, ips, ct), clock.GetUtcNow(),
            warmupLimits: await limits.LimitsAsync(ips, ct));
        if (await bases.LatestAsync(ct) is { } latest)
            config = ConfigWriter.Write(MergeWithBase.Merge(ConfigParser.Parse(config).Document, ConfigParser.Parse(latest.ConfigText).Document,
                $"version {latest.Version} ({latest.SourceName}, sha256 {latest.Sha256[..12]})"));
        return (config, ips);
    }

    public async Task<ValidationContext> ValidationContextAsync(PmtaHostOptions host, CancellationToken ct)
    {
        var ips = await IpsOnAsync(host, ct);
        return ContextFor(ips, await SettingsForAsync(host, ips, ct));
    }

    /// <summary>What a config must agree with: the registered IPs, the pool of each, and the key files the renderer points at.</summary>
    public static ValidationContext ContextFor(IReadOnlyList<SendingIp> ips, PmtaRenderSettings render) => new(
        ips.Select(ip => ip.Address).ToHashSet(StringComparer.OrdinalIgnoreCase),
        ips.Select(ip => RenderConfig.DkimKeyPath(render, SendingIp.SendingDomainOf(ip.Domain))).ToHashSet(StringComparer.Ordinal),
        ips.ToDictionary(ip => ip.Address, ip => new IpPool(ip.PoolName, ip.Tenant?.Slug), StringComparer.OrdinalIgnoreCase));

    /// <summary>The config plus the active and pending DKIM private keys it (and the next rotation) needs on the host.</summary>
    public async Task<DeploymentBundle> BundleAsync(PmtaHostOptions host, CancellationToken ct)
    {
        await domains.EnsureFromIpsAsync(ct); // an IP whose registration stopped before its domain's key was made
        var (config, ips) = await RenderAsync(host, ct);
        var keys = await domains.PrivateKeysAsync(KeyDomainsOf(host, ips), ct);
        return new DeploymentBundle(host, config,
            keys.Select(k => new DkimKeyFile(RenderConfig.KeyFilePath(host.DkimDirectory, k.Domain, k.Selector), k.Pem)).ToList());
    }

    /// <summary>
    /// The domains whose keys a host gets: those its IPs sign for. The default host keeps getting every domain's keys,
    /// as before there were several hosts (a domain may be registered before its IPs).
    /// </summary>
    private static IReadOnlySet<string>? KeyDomainsOf(PmtaHostOptions host, IReadOnlyList<SendingIp> ips) =>
        host.IsDefault ? null : ips.Select(ip => SendingIp.SendingDomainOf(ip.Domain)).ToHashSet(StringComparer.Ordinal);

    private async Task<List<SendingIp>> IpsOnAsync(PmtaHostOptions host, CancellationToken ct) =>
        await hosts.IpsOf(host).OrderBy(i => i.Id).ToListAsync(ct);

    private async Task<PmtaRenderSettings> SettingsForAsync(PmtaHostOptions host, IReadOnlyList<SendingIp> ips, CancellationToken ct)
    {
        var domain = ips.Count > 0 ? SendingIp.SendingDomainOf(ips[0].Domain) : "localhost.localdomain";
        return new PmtaRenderSettings(
            (host.IsDefault ? settings.Get("PMTA_HOST_NAME") : null) ?? $"mail.{domain}",
            settings.Get("PMTA_POSTMASTER") ?? $"postmaster@{domain}",
            host.RelaySources,
            host.DkimDirectory,
            dkim.Selector,
            AcctFile: host.AcctFile, // the file the accounting pull reads back
            DomainSelectors: await domains.ActiveSelectorsAsync(ct),
            MgmtPort: host.MgmtPort);
    }
}
