using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Auth;

public sealed record CreatedKey(string KeyId, string Name, string Token, DateTimeOffset CreatedAt);
public sealed record KeySummary(string KeyId, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Tenant key lifecycle, shared by the HTTP endpoints and the <c>keys</c> CLI.</summary>
public sealed class ApiKeyService(AppDbContext db, TimeProvider clock)
{
    public async Task<Result<CreatedKey>> CreateAsync(string tenantSlug, string? name, CancellationToken ct)
    {
        var tenant = await FindTenantAsync(tenantSlug, ct);
        if (tenant is null)
            return new Failure.NotFound($"Tenant '{tenantSlug}' does not exist.");
        name = string.IsNullOrWhiteSpace(name) ? "default" : name.Trim();
        if (name.Length > 100)
            return Failure.Field("name", "must be at most 100 characters");
        var (keyId, token) = ApiKeyTokens.Create();
        var key = new ApiKey
        {
            TenantId = tenant.Id, KeyId = keyId, Hash = ApiKeyTokens.Hash(token), Name = name, CreatedAt = clock.GetUtcNow(),
        };
        db.Add(key);
        await db.SaveChangesAsync(ct);
        return new CreatedKey(keyId, name, token, key.CreatedAt);
    }

    public async Task<Result<IReadOnlyList<KeySummary>>> ListAsync(string tenantSlug, CancellationToken ct)
    {
        var tenant = await FindTenantAsync(tenantSlug, ct);
        if (tenant is null)
            return new Failure.NotFound($"Tenant '{tenantSlug}' does not exist.");
        var keys = await db.Set<ApiKey>().AsNoTracking().Where(k => k.TenantId == tenant.Id).OrderBy(k => k.Id).ToListAsync(ct);
        return keys.Select(k => new KeySummary(k.KeyId, k.Name, $"eek_{k.KeyId}_…", k.CreatedAt, k.RevokedAt)).ToList();
    }

    public async Task<Result<KeySummary>> RevokeAsync(string tenantSlug, string keyId, CancellationToken ct)
    {
        var key = await db.Set<ApiKey>().Include(k => k.Tenant)
            .SingleOrDefaultAsync(k => k.KeyId == keyId && k.Tenant.Slug == tenantSlug, ct);
        if (key is null)
            return new Failure.NotFound($"Key '{keyId}' does not exist for tenant '{tenantSlug}'.");
        key.RevokedAt ??= clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return new KeySummary(key.KeyId, key.Name, $"eek_{key.KeyId}_…", key.CreatedAt, key.RevokedAt);
    }

    private Task<Tenant?> FindTenantAsync(string slug, CancellationToken ct) =>
        db.Set<Tenant>().AsNoTracking().SingleOrDefaultAsync(t => t.Slug == slug, ct);
}
