using EmailEngine.Http;
using Microsoft.AspNetCore.Authentication;

namespace EmailEngine.Auth;

public static class AuthSetup
{
    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(OperatorAccess.Policy, policy => policy.RequireRole(Caller.OperatorRole));
        services.AddScoped<ApiKeyService>();
        services.AddScoped<ApiKeyCheck>();
        return services;
    }
}
