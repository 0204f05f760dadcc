using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Auth;

/// <summary>
/// Who a presented key is: the operator (<c>API_KEY</c>) or one tenant's live key. One check for the API's
/// <c>X-API-KEY</c> header and the console's sign-in. Key material is never logged, only the public key id.
/// </summary>
public sealed class ApiKeyCheck(AppDbContext db, EngineSettings settings, ILogger<ApiKeyCheck> logger)
{
    /// <summary>The caller's principal under <paramref name="scheme"/>, or null when the key is no valid, unrevoked key.</summary>
    public async Task<ClaimsPrincipal?> PrincipalForAsync(string presented, string scheme, CancellationToken ct)
    {
        if (IsOperatorKey(presented))
            return Caller.OperatorPrincipal(scheme);
        if (ApiKeyTokens.KeyIdOf(presented) is { } keyId)
        {
            var key = await db.Set<ApiKey>().AsNoTracking().Include(k => k.Tenant)
                .SingleOrDefaultAsync(k => k.KeyId == keyId && k.RevokedAt == null, ct);
            if (key is not null && ApiKeyTokens.Matches(presented, key.Hash))
                return Caller.TenantPrincipal(scheme, key.TenantId, key.Tenant.Slug, key.KeyId);
            logger.LogInformation("Rejected API key {KeyId} (unknown, revoked or wrong secret)", keyId);
        }
        return null;
    }

    public bool IsOperatorKey(string presented) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiKey)));

    /// <summary>The tenant key <paramref name="keyId"/> exists and is not revoked.</summary>
    public Task<bool> IsLiveAsync(string keyId, CancellationToken ct) =>
        db.Set<ApiKey>().AnyAsync(k => k.KeyId == keyId && k.RevokedAt == null, ct);
}
