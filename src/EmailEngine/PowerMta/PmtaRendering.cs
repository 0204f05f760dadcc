using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta;

/// <summary>
/// Renders the config for the registered IPs with the operator's settings: <c>PMTA_HOST_NAME</c>
/// (default mail.{first IP's sending domain}), <c>PMTA_POSTMASTER</c> (postmaster@ that domain), <c>PMTA_RELAY_SOURCES</c>
/// (comma-separated MailWizz host IPs allowed to relay), <c>DKIM_SELECTOR</c> (ee1); warming IPs get their day's rates.
/// </summary>
public sealed class PmtaRendering(AppDbContext db, EngineSettings settings, PmtaHostOptions host, WarmupOptions warmup, TimeProvider clock)
{
    public async Task<(string Config, IReadOnlyList<SendingIp> Ips)> RenderAsync(CancellationToken ct)
    {
        var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct);
        var domain = ips.Count > 0 ? RenderConfig.SendingDomainOf(ips[0].Domain) : "localhost.localdomain";
        var render = new PmtaRenderSettings(
            settings.Get("PMTA_HOST_NAME") ?? $"mail.{domain}",
            settings.Get("PMTA_POSTMASTER") ?? $"postmaster@{domain}",
            (settings.Get("PMTA_RELAY_SOURCES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            host.DkimDirectory,
            settings.Get("DKIM_SELECTOR") ?? "ee1");
        var warmups = await db.Set<IpWarmup>().AsNoTracking().Where(w => w.Phase != WarmupPhase.Completed).ToListAsync(ct);
        return (RenderConfig.Render(ips, render, clock.GetUtcNow(), warmupLimits: WarmupPacing.LimitsOf(warmups, ips, warmup)), ips);
    }
}
