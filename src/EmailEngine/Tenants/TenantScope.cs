using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Tenants;

/// <summary>
/// Decides which tenant a request acts for. The operator names it (body or query) and may create it on first
/// use; a tenant key always acts for its own tenant, and any other tenant looks like it does not exist.
/// </summary>
public sealed class TenantScope(AppDbContext db, TimeProvider clock, TenantScope.KnownSlugs known)
{
    /// <summary>A tenant named without its row: what contact intake needs to hand a contact to its writer.</summary>
    public sealed record Ref(long Id, string Slug);

    /// <summary>Slugs already resolved in this process. A slug never changes and a tenant is never deleted, so one never goes stale.</summary>
    public sealed class KnownSlugs
    {
        internal System.Collections.Concurrent.ConcurrentDictionary<string, long> Ids { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// <see cref="ForWriteAsync"/> for the intake path: a tenant key's tenant comes from its claims and a slug the
    /// operator named before from memory, so a request that needs only the tenant's id costs no query.
    /// </summary>
    public async Task<Result<Ref>> RefForWriteAsync(ClaimsPrincipal user, string? requested, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (!caller.IsOperator)
        {
            if (!string.IsNullOrWhiteSpace(requested) && requested.Trim() != caller.TenantSlug)
                return new Failure.NotFound($"Tenant '{requested}' does not exist.");
            return new Ref(caller.TenantId!.Value, caller.TenantSlug!);
        }
        if (requested?.Trim() is { Length: > 0 } slug && known.Ids.TryGetValue(slug, out var id))
            return new Ref(id, slug);
        var tenant = await ForWriteAsync(user, requested, ct);
        if (!tenant.IsSuccess)
            return tenant.Error!;
        known.Ids[tenant.Value!.Slug] = tenant.Value.Id;
        return new Ref(tenant.Value.Id, tenant.Value.Slug);
    }

    public async Task<Result<Tenant>> ForWriteAsync(ClaimsPrincipal user, string? requested, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (!caller.IsOperator)
            return await OwnTenantAsync(caller, requested, ct);
        if (string.IsNullOrWhiteSpace(requested))
            return Failure.Field("tenant", "required with the operator key: name the tenant (e.g. \"client-1\")");
        var slug = requested.Trim();
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Slug == slug, ct);
        if (tenant is not null)
            return tenant;
        if (!TenantRules.IsValidSlug(slug))
            return Failure.Field("tenant", TenantRules.SlugRule);
        try
        {
            return await CreateAsync(slug, slug, null, ct);
        }
        catch (DbUpdateException)
        {
            // Another request created it first (unique slug): use that one.
            db.ChangeTracker.Clear();
            return await db.Set<Tenant>().SingleAsync(t => t.Slug == slug, ct);
        }
    }

    /// <summary>For reads: a tenant id to filter on, or null for "all tenants" (operator without a filter).</summary>
    public async Task<Result<long?>> ForReadAsync(ClaimsPrincipal user, string? requested, CancellationToken ct)
    {
        var caller = Caller.From(user);
        if (!caller.IsOperator)
        {
            var own = await OwnTenantAsync(caller, requested, ct);
            return own.IsSuccess ? own.Value!.Id : own.Error!;
        }
        if (string.IsNullOrWhiteSpace(requested))
            return (long?)null;
        var tenant = await db.Set<Tenant>().AsNoTracking().SingleOrDefaultAsync(t => t.Slug == requested.Trim(), ct);
        return tenant is null ? new Failure.NotFound($"Tenant '{requested}' does not exist.") : tenant.Id;
    }

    public async Task<Tenant> CreateAsync(string slug, string name, string? defaultLanguage, CancellationToken ct,
        SenderRequest? sender = null)
    {
        var now = clock.GetUtcNow();
        var tenant = new Tenant
        {
            Slug = slug, Name = name, DefaultLanguage = defaultLanguage ?? "en", CreatedAt = now, UpdatedAt = now,
        };
        if (sender is not null)
            TenantSender.Apply(tenant.Sender, sender);
        db.Add(tenant);
        await db.SaveChangesAsync(ct);
        return tenant;
    }

    private async Task<Result<Tenant>> OwnTenantAsync(Caller caller, string? requested, CancellationToken ct)
    {
        if (!string.IsNullOrWhiteSpace(requested) && requested.Trim() != caller.TenantSlug)
            return new Failure.NotFound($"Tenant '{requested}' does not exist.");
        return await db.Set<Tenant>().SingleAsync(t => t.Id == caller.TenantId, ct);
    }
}
