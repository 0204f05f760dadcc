using EmailEngine.Data;
using EmailEngine.Dkim;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

/// <summary>
/// Renders the config for the registered IPs with the operator's settings: <c>PMTA_HOST_NAME</c>
/// (default mail.{first IP's sending domain}), <c>PMTA_POSTMASTER</c> (postmaster@ that domain), <c>PMTA_RELAY_SOURCES</c>
/// (comma-separated MailWizz host IPs allowed to relay), and each sending domain's active DKIM selector (its domain
/// row and key are created first when missing; see <see cref="DomainRegistry"/>); warming IPs get their day's rates. When a V1 base was imported, the
/// rendered parts are laid over its latest version (<see cref="MergeWithBase"/>).
/// </summary>
public sealed class PmtaRendering(AppDbContext db, EngineSettings settings, PmtaHostOptions host, DkimOptions dkim, DomainRegistry domains,
    WarmupOptions warmup, Accounting.AcctOptions acct, TimeProvider clock, ImportBase bases)
{
    public async Task<(string Config, IReadOnlyList<SendingIp> Ips)> RenderAsync(CancellationToken ct)
    {
        await domains.EnsureFromIpsAsync(ct);
        var ips = await RegisteredIpsAsync(ct);
        var warmups = await db.Set<IpWarmup>().AsNoTracking().Where(w => w.Phase != WarmupPhase.Completed).ToListAsync(ct);
        var config = RenderConfig.Render(ips, await SettingsForAsync(ips, ct), clock.GetUtcNow(),
            warmupLimits: WarmupPacing.LimitsOf(warmups, ips, warmup));
        if (await bases.LatestAsync(ct) is { } latest)
            config = ConfigWriter.Write(MergeWithBase.Merge(ConfigParser.Parse(config).Document, ConfigParser.Parse(latest.ConfigText).Document,
                $"version {latest.Version} ({latest.SourceName}, sha256 {latest.Sha256[..12]})"));
        return (config, ips);
    }

    public async Task<ValidationContext> ValidationContextAsync(CancellationToken ct)
    {
        var ips = await RegisteredIpsAsync(ct);
        return ContextFor(ips, await SettingsForAsync(ips, ct));
    }

    /// <summary>What a config must agree with: the registered IPs, the pool of each, and the key files the renderer points at.</summary>
    public static ValidationContext ContextFor(IReadOnlyList<SendingIp> ips, PmtaRenderSettings render) => new(
        ips.Select(ip => ip.Address).ToHashSet(StringComparer.OrdinalIgnoreCase),
        ips.Select(ip => RenderConfig.DkimKeyPath(render, RenderConfig.SendingDomainOf(ip.Domain))).ToHashSet(StringComparer.Ordinal),
        ips.ToDictionary(ip => ip.Address, ip => new IpPool(ip.PoolName, ip.Tenant?.Slug), StringComparer.OrdinalIgnoreCase));

    /// <summary>The config plus the active and pending DKIM private keys it (and the next rotation) needs on the host.</summary>
    public async Task<DeploymentBundle> BundleAsync(CancellationToken ct)
    {
        var (config, _) = await RenderAsync(ct);
        return new DeploymentBundle(config, await domains.KeyFilesAsync(host.DkimDirectory, ct));
    }

    private async Task<List<SendingIp>> RegisteredIpsAsync(CancellationToken ct) =>
        await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);

    private async Task<PmtaRenderSettings> SettingsForAsync(IReadOnlyList<SendingIp> ips, CancellationToken ct)
    {
        var domain = ips.Count > 0 ? RenderConfig.SendingDomainOf(ips[0].Domain) : "localhost.localdomain";
        return new PmtaRenderSettings(
            settings.Get("PMTA_HOST_NAME") ?? $"mail.{domain}",
            settings.Get("PMTA_POSTMASTER") ?? $"postmaster@{domain}",
            (settings.Get("PMTA_RELAY_SOURCES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            host.DkimDirectory,
            dkim.Selector,
            AcctFile: acct.RemoteFile, // the file the accounting pull reads back
            DomainSelectors: await domains.ActiveSelectorsAsync(ct));
    }
}
