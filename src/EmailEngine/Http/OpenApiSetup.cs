using EmailEngine.Auth;
using Microsoft.OpenApi;

namespace EmailEngine.Http;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> (rendered at <c>/docs</c>).</summary>
public static class OpenApiSetup
{
    private const string Description =
        "Every `/api` route needs an API key in the `X-API-KEY` header: the operator key (`API_KEY`) or a tenant key. "
        + "Open, without a key: `/health`, `/ready`, `/docs` (this reference) and `/openapi/v1.json` (this document). "
        + "Errors are RFC 9457 problem details (`application/problem+json`); invalid fields are listed under `errors`.";

    public static IServiceCollection AddEngineOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Email-Engine V2";
            document.Info.Description = Description;
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer<ApiKeyOpenApi>();
        options.AddOperationTransformer<ApiKeyOpenApi>();
        options.AddSchemaTransformer<ConvertedTypesOpenApi>();
        options.AddOperationTransformer((operation, context, _) =>
        {
            // Any body above MAX_REQUEST_BODY_BYTES is refused before the handler runs. The upload routes read their
            // body themselves (no request body in the document) and declare their own 413.
            if (operation.RequestBody is not null && operation.Responses is { } responses && !responses.ContainsKey("413"))
                responses["413"] = new OpenApiResponse
                {
                    Description = "Content Too Large",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
                    },
                };
            return Task.CompletedTask;
        });
    });
}
