using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>
/// Keeps a tenant's mail on its own IPs upstream: every campaign is given to MailWizz with <c>campaign[delivery_servers]</c>,
/// the delivery servers linked to the IPs of its tenant's pool (the IPs it owns, or the default shared pool when it owns
/// none). MailWizz honours the field when the customer group allows choosing servers per campaign
/// (<c>servers.can_select_delivery_servers_for_campaign</c>); otherwise it picks among all the customer's servers.
/// </summary>
public static class TenantServers
{
    /// <summary>The tenant's pool's linked server ids, comma-separated in ascending order; null when none is linked yet.</summary>
    public static async Task<string?> OfAsync(AppDbContext db, long tenantId, CancellationToken ct)
    {
        var all = await ServersByTenantAsync(db, [tenantId], ct);
        return all.GetValueOrDefault(tenantId);
    }

    /// <summary>
    /// Queues a push for every campaign whose servers in MailWizz are not its tenant's pool's any more (an IP changed
    /// owner, a server was linked or unlinked), as the database holds them now; the caller saves. Returns how many.
    /// </summary>
    public static async Task<int> AlignAsync(AppDbContext db, OutboxWriter outbox, CancellationToken ct)
    {
        var campaigns = await db.Set<Campaign>().Where(c => c.Sync.Status != SyncStatus.Pending).ToListAsync(ct);
        if (campaigns.Count == 0)
            return 0;
        var servers = await ServersByTenantAsync(db, campaigns.Select(c => c.TenantId).Distinct().ToList(), ct);
        var stale = campaigns.Where(c => c.MailWizzServers != servers.GetValueOrDefault(c.TenantId)).ToList();
        foreach (var campaign in stale)
        {
            await CampaignSync.RequeueAsync(outbox, campaign, ct);
        }
        return stale.Count;
    }

    /// <summary>
    /// Tenants whose own pool has no IP that may send (each of its IPs paused, quarantined or on standby: their servers'
    /// mail would wait in PowerMTA at a stopped IP, or leave through it), and, while the install links servers to IPs at
    /// all, tenants with no linked server of their own pool (an install that links none leaves MailWizz its own choice,
    /// as before the engine managed servers).
    /// </summary>
    public sealed class Unserved(AppDbContext db) : IUnservedTenants
    {
        public async Task<IReadOnlySet<long>> FindAsync(CancellationToken ct)
        {
            var owned = await IpOwnership.OwnPoolIps(db).Select(ip => new { Tenant = ip.TenantId!.Value, ip.Status }).ToListAsync(ct);
            var unserved = owned.GroupBy(o => o.Tenant).Where(g => !g.Any(o => IpStatuses.Sends(o.Status))).Select(g => g.Key).ToHashSet();
            if (!await db.Set<DeliveryServerLink>().AnyAsync(l => l.ServerId != null, ct))
                return unserved;
            var tenants = await db.Set<Tenants.Tenant>().AsNoTracking().Select(t => t.Id).ToListAsync(ct);
            var served = await ServersByTenantAsync(db, tenants, ct, owned.Select(o => o.Tenant).ToHashSet());
            unserved.UnionWith(tenants.Where(t => !served.ContainsKey(t)));
            return unserved;
        }
    }

    /// <param name="owning">The tenants that own an IP that is not retired, when the caller has read them already.</param>
    private static async Task<Dictionary<long, string>> ServersByTenantAsync(AppDbContext db, IReadOnlyCollection<long> tenantIds, CancellationToken ct,
        IReadOnlySet<long>? owning = null)
    {
        var linked = await db.Set<DeliveryServerLink>().AsNoTracking().Where(l => l.ServerId != null)
            .Join(db.Set<SendingIp>().AsNoTracking().Where(ip => ip.Status != IpStatus.Retired), l => l.IpId, ip => ip.Id,
                (l, ip) => new { ServerId = l.ServerId!.Value, ip.TenantId, ip.Pool })
            .ToListAsync(ct);
        owning ??= (await IpOwnership.OwnPoolIps(db).Select(ip => ip.TenantId!.Value).ToListAsync(ct)).ToHashSet();
        var shared = linked.Where(l => l.TenantId is null && (l.Pool ?? IpOwnership.DefaultPool) == IpOwnership.DefaultPool).Select(l => l.ServerId);
        return tenantIds.Select(tenant => (tenant, Ids: owning.Contains(tenant) ? linked.Where(l => l.TenantId == tenant).Select(l => l.ServerId) : shared))
            .Where(t => t.Ids.Any())
            .ToDictionary(t => t.tenant, t => string.Join(',', t.Ids.Distinct().Order()));
    }
}

/// <summary>An IP changed owner: the campaigns whose servers are not their pool's any more are pushed again.</summary>
internal sealed class TenantServersAlignment(AppDbContext db, OutboxWriter outbox) : IIpOwnershipObserver
{
    public Task OwnershipChangedAsync(CancellationToken ct) => TenantServers.AlignAsync(db, outbox, ct);
}
