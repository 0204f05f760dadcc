using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using EmailEngine.Auth;
using EmailEngine.Hosting;
using EmailEngine.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace EmailEngine.WebConsole;

/// <summary>
/// Opens a console session from an API key (<see cref="ApiKeyCheck"/>, as the API checks it) and keeps it honest: the
/// cookie holds who signed in (operator, or a tenant and its key id), never the key; a revoked tenant key or a changed
/// <c>API_KEY</c> ends the session at the next request.
/// </summary>
public sealed class ConsoleSession(ApiKeyCheck keys, EngineSettings settings, ILogger<ConsoleSession> logger)
{
    private const string OperatorKeyClaim = "operator_key";

    /// <summary>The principal for <paramref name="presented"/>, or null when it is no valid, unrevoked key.</summary>
    public async Task<ClaimsPrincipal?> PrincipalForAsync(string presented, CancellationToken ct)
    {
        presented = presented.Trim();
        var principal = presented.Length == 0 ? null : await keys.PrincipalForAsync(presented, ConsoleSetup.Scheme, ct);
        if (principal is null)
            logger.LogInformation("Console sign-in refused (unknown, revoked or wrong key)");
        else if (principal.IsInRole(Caller.OperatorRole))
            ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(OperatorKeyClaim, Convert.ToBase64String(Fingerprint(settings.ApiKey))));
        return principal;
    }

    /// <summary>Cookie check on every request: the key that opened the session must still be valid.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var session = context.HttpContext.RequestServices.GetRequiredService<ConsoleSession>();
        if (!await session.StillValidAsync(context.Principal!, context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        }
    }

    private async Task<bool> StillValidAsync(ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.IsInRole(Caller.OperatorRole))
            return principal.FindFirstValue(OperatorKeyClaim) is { } stored
                && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(stored), Fingerprint(settings.ApiKey));
        return principal.FindFirstValue(Caller.KeyIdClaim) is { } keyId && await keys.IsLiveAsync(keyId, ct);
    }

    /// <summary>A digest of the operator key: the session can tell the key changed without holding the key.</summary>
    private static byte[] Fingerprint(string key) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes("email-engine console session"), Encoding.UTF8.GetBytes(key));
}
