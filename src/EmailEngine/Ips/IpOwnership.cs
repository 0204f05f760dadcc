using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

/// <summary>Who an IP sends for: one tenant alone, or a shared pool (<c>Pool</c> null = the default one).</summary>
public sealed record IpOwner(Tenant? Tenant, string? Pool)
{
    public static readonly IpOwner Default = new(null, null);

    /// <summary>Gives the IP this owner; true when that changed it.</summary>
    public bool ApplyTo(SendingIp ip)
    {
        if (ip.TenantId == Tenant?.Id && ip.Pool == Pool)
            return false;
        (ip.Tenant, ip.TenantId, ip.Pool) = (Tenant, Tenant?.Id, Pool);
        return true;
    }
}

/// <summary>
/// The rules of IP ownership. Each owner gets its own PowerMTA pool, <c>pool-{tenant slug}</c> or <c>pool-{shared pool}</c>,
/// so that a tenant's reputation never rides on another's IPs. Pools share PowerMTA's namespace with the virtual MTAs
/// (<c>vmta-N</c>) and with each other, hence: a shared pool is never named like a tenant, and the <c>pool-</c> prefix
/// keeps every pool apart from every virtual MTA.
/// </summary>
public static class IpOwnership
{
    /// <summary>Where an IP with neither a tenant nor a pool sends: a one-tenant install renders <c>pool-all</c>, as always.</summary>
    public const string DefaultPool = "all";

    public const int PoolMaxLength = 50;

    public const string PoolRule = "must be 1-50 characters: lower-case letters, digits or '-', starting with a letter or digit";

    public static string PoolName(string owner) => $"pool-{owner}";

    /// <summary>
    /// The IPs that give their tenant a pool of its own: owned and not retired. A tenant with none sends through the
    /// default shared pool. The one rule both the admission room (<see cref="PoolOfTenantAsync"/>) and the tenant's
    /// MailWizz delivery servers (<c>TenantServers</c>) follow.
    /// </summary>
    public static IQueryable<SendingIp> OwnPoolIps(AppDbContext db) =>
        db.Set<SendingIp>().AsNoTracking().Where(ip => ip.TenantId != null && ip.Status != IpStatus.Retired);

    /// <summary>The PowerMTA pool a tenant's mail leaves through: its own (<see cref="OwnPoolIps"/>), otherwise <c>pool-all</c>.</summary>
    public static async Task<string> PoolOfTenantAsync(AppDbContext db, long? tenantId, CancellationToken ct)
    {
        var slug = tenantId is null ? null
            : await OwnPoolIps(db).Where(ip => ip.TenantId == tenantId).Select(ip => ip.Tenant!.Slug).FirstOrDefaultAsync(ct);
        return PoolName(slug ?? DefaultPool);
    }

    /// <summary>
    /// The owner a request names (<paramref name="tenant"/> slug or shared <paramref name="pool"/>), or null when it names
    /// none; problems go to <paramref name="errors"/> under the field's name. <c>"pool": "all"</c> is the default pool.
    /// </summary>
    /// <param name="ipId">The IP being changed (null for a registration): its own current pool does not stand in the way.</param>
    public static async Task<IpOwner?> ReadAsync(string? tenant, string? pool, long? ipId, AppDbContext db, FieldErrors errors, CancellationToken ct)
    {
        if (tenant is not null && pool is not null)
        {
            const string both = "set either tenant (the IP sends for that tenant alone) or pool (a shared pool), not both";
            errors.Add("tenant", both);
            errors.Add("pool", both);
            return null;
        }
        if (pool is not null)
            return await SharedPoolAsync(pool.Trim(), db, errors, ct);
        return tenant is null ? null : await TenantAsync(tenant.Trim(), ipId, db, errors, ct);
    }

    private static async Task<IpOwner?> SharedPoolAsync(string pool, AppDbContext db, FieldErrors errors, CancellationToken ct)
    {
        if (pool == DefaultPool)
            return IpOwner.Default;
        if (!IsValidPool(pool))
            errors.Add("pool", PoolRule);
        else if (pool.StartsWith("pool-", StringComparison.Ordinal) || pool.StartsWith("vmta-", StringComparison.Ordinal))
            errors.Add("pool", "must not start with 'pool-' or 'vmta-': the engine renders it as pool-NAME, and PowerMTA's pools share "
                + "one namespace with the virtual MTAs (vmta-N)");
        else if (await db.Set<Tenant>().AnyAsync(t => t.Slug == pool, ct))
            errors.Add("pool", $"'{pool}' is a tenant's slug, and that tenant's pool is {PoolName(pool)}: name the shared pool otherwise");
        else
            return new IpOwner(null, pool);
        return null;
    }

    private static async Task<IpOwner?> TenantAsync(string slug, long? ipId, AppDbContext db, FieldErrors errors, CancellationToken ct)
    {
        var owner = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Slug == slug, ct);
        if (owner is null)
            errors.Add("tenant", $"no tenant '{slug}' (create it with POST /api/v1/tenants)");
        else if (slug == DefaultPool)
            errors.Add("tenant", $"tenant '{slug}' cannot own IPs: its pool would be {PoolName(slug)}, the default shared pool");
        else if (await db.Set<SendingIp>().AnyAsync(i => i.Pool == slug && i.Id != ipId, ct))
            errors.Add("tenant", $"{PoolName(slug)} is already the shared pool '{slug}': move its IPs to another pool first");
        else
            return new IpOwner(owner, null);
        return null;
    }

    private static bool IsValidPool(string pool) =>
        pool.Length is >= 1 and <= PoolMaxLength && (char.IsAsciiLetterLower(pool[0]) || char.IsAsciiDigit(pool[0]))
        && pool.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
