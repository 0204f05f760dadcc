using System.Text.Encodings.Web;
using EmailEngine.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EmailEngine.Auth;

/// <summary>Authenticates the <c>X-API-KEY</c> header (<see cref="ApiKeyCheck"/>).</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggers, UrlEncoder encoder,
    ApiKeyCheck keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggers, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-KEY";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers.TryGetValue(HeaderName, out var values) && values.ToString().Length > 0 ? values.ToString() : BearerKey();
        if (presented is null)
            return AuthenticateResult.NoResult();

        return await keys.PrincipalForAsync(presented, SchemeName, Context.RequestAborted) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("invalid API key");
    }

    /// <summary><c>Authorization: Bearer KEY</c>, only on endpoints marked <see cref="AcceptsBearerKey"/> (Prometheus cannot send X-API-KEY).</summary>
    private string? BearerKey()
    {
        if (Context.GetEndpoint()?.Metadata.GetMetadata<AcceptsBearerKey>() is null)
            return null;
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

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
