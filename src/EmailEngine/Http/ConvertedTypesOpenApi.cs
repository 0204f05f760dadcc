using System.Reflection;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace EmailEngine.Http;

/// <summary>
/// The schema generator describes a type read and written by a custom JSON converter as "anything" (<c>{}</c>): it
/// cannot know what the converter does. The API's converters keep the JSON types (<see cref="ControlCharacterGuard"/>
/// refuses control characters in strings, <see cref="ApiJson.Timestamps"/> writes one ISO 8601 form), so every string
/// and timestamp gets its type back here, with <c>null</c> where the property is declared nullable.
/// </summary>
internal sealed class ConvertedTypesOpenApi : IOpenApiSchemaTransformer
{
    private readonly NullabilityInfoContext _nullability = new();

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(string))
            schema.Type = JsonSchemaType.String | (IsNullable(context) ? JsonSchemaType.Null : 0);
        else if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            schema.Type = JsonSchemaType.String | (type == typeof(DateTimeOffset?) ? JsonSchemaType.Null : 0);
            schema.Format = "date-time";
        }
        return Task.CompletedTask;
    }

    private bool IsNullable(OpenApiSchemaTransformerContext context)
    {
        lock (_nullability) // NullabilityInfoContext caches and is not thread-safe
            return context.JsonPropertyInfo?.AttributeProvider switch
            {
                PropertyInfo property => _nullability.Create(property).ReadState == NullabilityState.Nullable,
                FieldInfo field => _nullability.Create(field).ReadState == NullabilityState.Nullable,
                _ => false,
            };
    }
}
