using System.Security.Cryptography;
using System.Text;
using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Dkim;

/// <summary>A sending domain with the registered IPs whose HELO host is in it.</summary>
public sealed record DomainWithIps(SendingDomain Domain, IReadOnlyList<SendingIp> Ips);

/// <summary>
/// Sending domains and their DKIM keys. A domain is created explicitly (<c>POST /api/v1/domains</c>) or, for every
/// registered IP whose HELO host's domain has no row yet, automatically when the IP is registered or changes domain
/// and before a deployment (<see cref="ISendingDomainSetup"/>); either way it gets an RSA-2048 key under
/// <c>DKIM_SELECTOR</c> at once.
/// </summary>
public sealed class DomainRegistry(AppDbContext db, DkimVault vault, DkimOptions options, IDkimKeyPairs keyPairs, TimeProvider clock)
    : ISendingDomainSetup
{
    public async Task EnsureFromIpsAsync(CancellationToken ct)
    {
        var wanted = (await LiveIpsAsync(ct)).Select(ip => SendingIp.SendingDomainOf(ip.Domain)).Distinct().ToList();
        var known = await db.Set<SendingDomain>().Where(d => wanted.Contains(d.Name)).Select(d => d.Name).ToListAsync(ct);
        var missing = wanted.Except(known).ToList();
        if (missing.Count == 0)
            return;
        foreach (var name in missing)
            db.Add(NewDomain(name));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // A concurrent request created the same domains; theirs are as good as ours.
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>
    /// For an IP's registration or change: without a master key (PostgreSQL) its domain's key cannot be made yet, which
    /// must not refuse the IP; the deployment makes it, and answers 503 until the key is set.
    /// </summary>
    async Task ISendingDomainSetup.EnsureFromIpsAsync(CancellationToken ct)
    {
        try
        {
            await EnsureFromIpsAsync(ct);
        }
        catch (DkimVaultUnavailableException)
        {
            db.ChangeTracker.Clear(); // the domains added before the vault refused stay unsaved
        }
    }

    public async Task<Result<SendingDomain>> CreateAsync(string? name, CancellationToken ct)
    {
        if (!Hostname.TryNormalize(name, out var normalized, out var reason))
            return Failure.Field("domain", reason);
        if (await db.Set<SendingDomain>().AnyAsync(d => d.Name == normalized, ct))
            return Duplicate(normalized);
        var domain = NewDomain(normalized);
        db.Add(domain);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<SendingDomain>().AnyAsync(d => d.Name == normalized, ct))
                return Duplicate(normalized);
            throw;
        }
        return domain;
    }

    private static Failure Duplicate(string name) => new Failure.Conflict($"Domain {name} already exists.",
        new Dictionary<string, string[]> { ["domain"] = [$"{name} already exists"] });

    private SendingDomain NewDomain(string name)
    {
        var now = clock.GetUtcNow();
        var domain = new SendingDomain { Name = name, CreatedAt = now, UpdatedAt = now };
        domain.Keys.Add(NewKey(name, options.Selector, DkimKeyStatus.Active));
        return domain;
    }

    private DkimKey NewKey(string domain, string selector, DkimKeyStatus status)
    {
        using var rsa = keyPairs.Create();
        var publicKey = rsa.ExportSubjectPublicKeyInfo();
        var pem = Encoding.ASCII.GetBytes(rsa.ExportRSAPrivateKeyPem() + "\n");
        try
        {
            var now = clock.GetUtcNow();
            return new DkimKey
            {
                Selector = selector, Status = status, PublicKey = Convert.ToBase64String(publicKey),
                Fingerprint = Convert.ToHexStringLower(SHA256.HashData(publicKey)),
                EncryptedPrivateKey = vault.Protect(pem, DkimVault.ContextOf(domain, selector)),
                CreatedAt = now, ActivatedAt = status == DkimKeyStatus.Active ? now : null,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pem);
        }
    }

    /// <summary>By id or by name (<c>/api/v1/domains/7</c> or <c>/api/v1/domains/domain1.com</c>).</summary>
    public async Task<DomainWithIps?> FindAsync(string idOrName, CancellationToken ct)
    {
        var query = db.Set<SendingDomain>().Include(d => d.Keys);
        var domain = long.TryParse(idOrName, out var id)
            ? await query.SingleOrDefaultAsync(d => d.Id == id, ct)
            : await query.SingleOrDefaultAsync(d => d.Name == idOrName.Trim().TrimEnd('.').ToLowerInvariant(), ct);
        return domain is null ? null : new DomainWithIps(domain, IpsOf(domain.Name, await LiveIpsAsync(ct)));
    }

    public async Task<IReadOnlyList<DomainWithIps>> ListAsync(CancellationToken ct)
    {
        var domains = await db.Set<SendingDomain>().Include(d => d.Keys).OrderBy(d => d.Id).ToListAsync(ct);
        var ips = await LiveIpsAsync(ct);
        return domains.Select(d => new DomainWithIps(d, IpsOf(d.Name, ips))).ToList();
    }

    /// <summary>Creates the next key as pending: published and shipped next to the active one, not signing yet.</summary>
    public async Task<Result<DkimKey>> RotateAsync(SendingDomain domain, string? selector, CancellationToken ct)
    {
        if (domain.PendingKey is { } pending)
            return new Failure.Conflict($"Key {pending.Selector} is already pending for {domain.Name}: publish it and activate it first.");
        string chosen;
        if (selector is not null)
        {
            chosen = selector.Trim().ToLowerInvariant();
            if (DkimOptions.SelectorProblem(chosen) is { } problem)
                return Failure.Field("selector", problem);
            if (domain.Keys.Any(k => k.Selector == chosen))
                return new Failure.Conflict($"Selector {chosen} was already used for {domain.Name}; DNS caches may still hold it.",
                    new Dictionary<string, string[]> { ["selector"] = [$"{chosen} was already used"] });
        }
        else
        {
            var baseName = $"{options.Selector}-{clock.GetUtcNow():yyyyMMdd}";
            chosen = baseName;
            for (var n = 2; domain.Keys.Any(k => k.Selector == chosen); n++)
                chosen = $"{baseName}-{n}";
        }
        var key = NewKey(domain.Name, chosen, DkimKeyStatus.Pending);
        domain.Keys.Add(key);
        domain.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return key;
    }

    /// <summary>The pending key becomes active and the active one retired, once DNS serves the pending record (or when forced).</summary>
    public async Task<Result<RecordCheck?>> ActivateAsync(DomainWithIps target, bool force, DnsVerifier verifier, CancellationToken ct)
    {
        var domain = target.Domain;
        if (domain.PendingKey is not { } pending)
            return new Failure.Conflict($"{domain.Name} has no pending key: rotate first.");
        RecordCheck? check = null;
        if (!force)
        {
            var record = DnsRecords.For(domain, target.Ips).Single(r => r.Kind == "dkim" && r.Name.StartsWith(pending.Selector + ".", StringComparison.Ordinal));
            check = await verifier.VerifyAsync(record, ct);
            if (check.Status != "present")
                return new Failure.Conflict($"DNS does not serve the pending key yet ({check.Status} at {check.Name}"
                    + (check.Found.Count > 0 ? $", found: {string.Join(" | ", check.Found)}" : "") + "); publish it, or activate with force.");
        }
        var now = clock.GetUtcNow();
        if (domain.ActiveKey is { } active)
        {
            active.Status = DkimKeyStatus.Retired;
            active.RetiredAt = now;
        }
        pending.Status = DkimKeyStatus.Active;
        pending.ActivatedAt = now;
        domain.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        return check;
    }

    /// <summary>The active selector of every domain, for the rendered <c>domain-key</c> lines.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ActiveSelectorsAsync(CancellationToken ct) =>
        await db.Set<SendingDomain>().SelectMany(d => d.Keys.Where(k => k.Status == DkimKeyStatus.Active), (d, k) => new { d.Name, k.Selector })
            .ToDictionaryAsync(x => x.Name, x => x.Selector, ct);

    /// <summary>Decrypted private keys of the active and pending keys; only those of <paramref name="onlyDomains"/> when
    /// given (a host gets the keys its IPs sign with).</summary>
    public async Task<IReadOnlyList<DkimPrivateKey>> PrivateKeysAsync(IReadOnlySet<string>? onlyDomains, CancellationToken ct)
    {
        var keys = (await db.Set<SendingDomain>().AsNoTracking()
            .SelectMany(d => d.Keys.Where(k => k.Status != DkimKeyStatus.Retired), (d, k) => new { d.Name, Key = k })
            .ToListAsync(ct)).Where(x => onlyDomains is null || onlyDomains.Contains(x.Name));
        return keys.OrderBy(x => x.Name).ThenBy(x => x.Key.Selector).Select(x => new DkimPrivateKey(x.Name, x.Key.Selector,
            vault.Unprotect(x.Key.EncryptedPrivateKey, DkimVault.ContextOf(x.Name, x.Key.Selector)))).ToList();
    }

    private Task<List<SendingIp>> LiveIpsAsync(CancellationToken ct) =>
        db.Set<SendingIp>().AsNoTracking().Where(i => i.Status != IpStatus.Retired).OrderBy(i => i.Id).ToListAsync(ct);

    private static IReadOnlyList<SendingIp> IpsOf(string domain, IEnumerable<SendingIp> ips) =>
        ips.Where(ip => SendingIp.SendingDomainOf(ip.Domain) == domain).ToList();
}

/// <summary>A domain's private key under one selector, PEM, as PowerMTA reads it.</summary>
public sealed record DkimPrivateKey(string Domain, string Selector, byte[] Pem);
