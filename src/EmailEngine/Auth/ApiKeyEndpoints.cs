using EmailEngine.Http;

namespace EmailEngine.Auth;

public sealed record CreateKeyRequest(string? Name);

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tenants/{slug}/keys").WithTags("API keys").RequireOperator();
        group.MapPost("/", CreateKey).WithName("CreateTenantKey")
            .Produces<CreatedKey>(201).ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/", ListKeys).WithName("ListTenantKeys")
            .Produces<ItemList<KeySummary>>().ProducesProblem(404);
        group.MapDelete("/{keyId}", RevokeKey).WithName("RevokeTenantKey")
            .Produces<KeySummary>().ProducesProblem(404);
        return app;
    }

    /// <summary>The token is in this response only; it is not stored and cannot be shown again.</summary>
    public static async Task<IResult> CreateKey(string slug, CreateKeyRequest? request, ApiKeyService keys, CancellationToken ct) =>
        (await keys.CreateAsync(slug, request?.Name, ct))
            .ToHttp(created => TypedResults.Created($"/api/v1/tenants/{slug}/keys/{created.KeyId}", created));

    public static async Task<IResult> ListKeys(string slug, ApiKeyService keys, CancellationToken ct) =>
        (await keys.ListAsync(slug, ct)).ToHttp(list => TypedResults.Ok(new ItemList<KeySummary>(list)));

    public static async Task<IResult> RevokeKey(string slug, string keyId, ApiKeyService keys, CancellationToken ct) =>
        (await keys.RevokeAsync(slug, keyId, ct)).ToHttp(TypedResults.Ok);
}
