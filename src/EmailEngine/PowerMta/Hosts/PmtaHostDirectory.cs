using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta.Hosts;

/// <summary>
/// Every PowerMTA host the engine knows: the default one from the settings (<see cref="PmtaHostOptions.From"/>, never
/// stored) and the registered ones. An IP without a host is on the default host.
/// </summary>
public sealed class PmtaHostDirectory(AppDbContext db, PmtaHostOptions defaultHost) : IIpHosts
{
    public PmtaHostOptions Default => defaultHost;

    /// <summary>The default host first, then the registered ones by name.</summary>
    public async Task<IReadOnlyList<PmtaHostOptions>> AllAsync(CancellationToken ct) =>
        [defaultHost, .. (await db.Set<RegisteredPmtaHost>().AsNoTracking().OrderBy(h => h.Name).ToListAsync(ct)).Select(h => h.ToOptions())];

    /// <summary>The host of that name; null or empty means the default one. Null when there is none.</summary>
    public async Task<PmtaHostOptions?> FindAsync(string? name, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(name) || name == PmtaHostOptions.DefaultName)
            return defaultHost;
        var registered = await db.Set<RegisteredPmtaHost>().AsNoTracking().SingleOrDefaultAsync(h => h.Name == name, ct);
        return registered?.ToOptions();
    }

    /// <summary>The hosts the engine can reach: what the reconciler and the accounting pull go through.</summary>
    public async Task<IReadOnlyList<PmtaHostOptions>> ConfiguredAsync(CancellationToken ct) =>
        (await AllAsync(ct)).Where(h => h.Configured).ToList();

    /// <summary>What a deployment to every host covers: the reachable hosts, and the default one while IPs are on it
    /// (its failure to deploy says what is missing).</summary>
    public async Task<IReadOnlyList<PmtaHostOptions>> DeployTargetsAsync(CancellationToken ct)
    {
        var defaultHasIps = await IpsOf(defaultHost).AnyAsync(ct);
        return (await AllAsync(ct)).Where(h => h.Configured || (h.IsDefault && defaultHasIps)).ToList();
    }

    /// <summary>The host a request names (<c>host</c>); the default host when it names none; a 400 field error for an unknown one.</summary>
    public async Task<Result<PmtaHostOptions>> ResolveAsync(string? name, CancellationToken ct) =>
        await FindAsync(name?.Trim(), ct) is { } host ? host : Failure.Field("host", Unknown(name!));

    /// <summary>An IP's host as a request names it, as stored (null: the default host); an unknown name is a field error.</summary>
    public async Task<string?> CheckIpHostAsync(string? name, FieldErrors errors, CancellationToken ct)
    {
        if (await FindAsync(name?.Trim(), ct) is { } host)
            return StoredName(host.Name);
        errors.Add("host", Unknown(name!));
        return null;
    }

    private static string Unknown(string name) =>
        $"no PowerMTA host is named '{Common.TextCut.Ellipsis(name.Trim(), 64)}' (GET /api/v1/pmta/hosts lists them)";

    /// <summary>The IPs on a host.</summary>
    public IQueryable<SendingIp> IpsOf(PmtaHostOptions host) => OnHost(db.Set<SendingIp>().AsNoTracking(), host.Name);

    public static IQueryable<SendingIp> OnHost(IQueryable<SendingIp> ips, string host) =>
        host == PmtaHostOptions.DefaultName ? ips.Where(ip => ip.Host == null) : ips.Where(ip => ip.Host == host);

    /// <summary>How an IP's host is stored: null for the default host.</summary>
    public static string? StoredName(string host) => host == PmtaHostOptions.DefaultName ? null : host;
}
