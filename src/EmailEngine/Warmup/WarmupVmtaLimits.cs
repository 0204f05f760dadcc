using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.PowerMta;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

/// <summary>The warming IPs' limits for the PowerMTA renderer: today's step of every warmup that is not finished.</summary>
internal sealed class WarmupVmtaLimits(AppDbContext db, WarmupOptions options) : IVmtaLimitsSource
{
    public async Task<IReadOnlyDictionary<string, VmtaLimits>> LimitsAsync(IReadOnlyList<SendingIp> ips, CancellationToken ct)
    {
        var warmups = await db.Set<IpWarmup>().AsNoTracking().Where(w => w.Phase != WarmupPhase.Completed).ToListAsync(ct);
        return WarmupPacing.LimitsOf(warmups, ips, options);
    }
}
