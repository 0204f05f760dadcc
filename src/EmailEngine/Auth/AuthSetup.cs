using Microsoft.AspNetCore.Authentication;

namespace EmailEngine.Auth;

public static class AuthSetup
{
    public const string OperatorPolicy = "operator";

    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(OperatorPolicy, policy => policy.RequireRole(Caller.OperatorRole));
        services.AddScoped<ApiKeyService>();
        services.AddScoped<ApiKeyCheck>();
        return services;
    }

    /// <summary>Operator key only: a tenant key is answered 403 (declared for the OpenAPI document).</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(OperatorPolicy).ProducesProblem(StatusCodes.Status403Forbidden);
}
