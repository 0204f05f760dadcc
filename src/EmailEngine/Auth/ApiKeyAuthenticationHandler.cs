using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace EmailEngine.Auth;

/// <summary>Authenticates the <c>X-API-KEY</c> header. Key material is never logged, only the public key id.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder,
    EngineSettings settings, AppDbContext db)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-KEY";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers.TryGetValue(HeaderName, out var values) && values.ToString().Length > 0 ? values.ToString() : BearerKey();
        if (presented is null)
            return AuthenticateResult.NoResult();

        if (IsOperatorKey(presented))
            return Success(Caller.OperatorPrincipal(SchemeName));

        if (ApiKeyTokens.KeyIdOf(presented) is { } keyId)
        {
            var key = await db.Set<ApiKey>().AsNoTracking().Include(k => k.Tenant)
                .SingleOrDefaultAsync(k => k.KeyId == keyId && k.RevokedAt == null, Context.RequestAborted);
            if (key is not null && ApiKeyTokens.Matches(presented, key.Hash))
                return Success(Caller.TenantPrincipal(SchemeName, key.TenantId, key.Tenant.Slug, key.KeyId));
            Logger.LogInformation("Rejected API key {KeyId} (unknown, revoked or wrong secret)", keyId);
        }
        return AuthenticateResult.Fail("invalid API key");
    }

    /// <summary><c>Authorization: Bearer KEY</c>, only on endpoints marked <see cref="AcceptsBearerKey"/> (Prometheus cannot send X-API-KEY).</summary>
    private string? BearerKey()
    {
        if (Context.GetEndpoint()?.Metadata.GetMetadata<AcceptsBearerKey>() is null)
            return null;
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    private bool IsOperatorKey(string presented) => CryptographicOperations.FixedTimeEquals(
        SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(settings.ApiKey)));

    private static AuthenticateResult Success(System.Security.Claims.ClaimsPrincipal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var missing = !Request.Headers.ContainsKey(HeaderName) && BearerKey() is null;
        return Problems.WriteAsync(Context, 401, "Unauthorized", missing
            ? $"Send your API key in the {HeaderName} header."
            : $"The {HeaderName} header does not hold a valid, unrevoked API key.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, 403, "Forbidden", "This operation needs the operator key (API_KEY).");
}
