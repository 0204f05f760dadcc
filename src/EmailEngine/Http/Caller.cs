using System.Security.Claims;

namespace EmailEngine.Http;

/// <summary>Who is calling: the operator (configuration's API_KEY, acts for any tenant) or one tenant's key.</summary>
public sealed record Caller(bool IsOperator, long? TenantId, string? TenantSlug)
{
    public const string OperatorRole = "operator";
    public const string TenantIdClaim = "tenant_id";
    public const string TenantSlugClaim = "tenant";
    /// <summary>The public id of the tenant key that authenticated (never the key itself).</summary>
    public const string KeyIdClaim = "key_id";

    public static Caller From(ClaimsPrincipal user) => user.IsInRole(OperatorRole)
        ? new Caller(true, null, null)
        : new Caller(false, long.Parse(user.FindFirstValue(TenantIdClaim)!), user.FindFirstValue(TenantSlugClaim));

    public static ClaimsPrincipal OperatorPrincipal(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Role, OperatorRole), new Claim(ClaimTypes.Name, "operator")], scheme));

    public static ClaimsPrincipal TenantPrincipal(string scheme, long tenantId, string slug, string keyId) =>
        new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Role, "tenant"), new Claim(ClaimTypes.Name, $"key:{keyId}"),
            new Claim(TenantIdClaim, tenantId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(TenantSlugClaim, slug), new Claim(KeyIdClaim, keyId),
        ], scheme));
}
