using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmailEngine.Auth;

/// <summary>
/// Declares the <c>X-API-KEY</c> header as the document's security scheme and requires it on every operation that is
/// not open (<c>AllowAnonymous</c>), so the /docs page's "try it" and generated clients send the key where it is needed.
/// </summary>
internal sealed class ApiKeyOpenApi : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string SchemeId = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyAuthenticationHandler.HeaderName,
            Description = "The operator key (API_KEY) acts for any tenant; a tenant key (POST /api/v1/tenants/{slug}/keys) for its own tenant only.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
            return Task.CompletedTask;
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, context.Document)] = [] });
        return Task.CompletedTask;
    }
}
