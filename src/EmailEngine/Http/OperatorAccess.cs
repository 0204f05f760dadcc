namespace EmailEngine.Http;

/// <summary>
/// Routes only the operator may call (its policy is registered by <c>Auth/AuthSetup</c>, which authenticates keys).
/// </summary>
public static class OperatorAccess
{
    public const string Policy = "operator";

    /// <summary>Operator key only: a tenant key is answered 403 (declared for the OpenAPI document).</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy).ProducesProblem(StatusCodes.Status403Forbidden);
}
