using System.Text.Json;

namespace EmailEngine.Tests.Http;

/// <summary>The operations of an OpenAPI document: method, path template and the operation object.</summary>
internal static class OpenApiOperations
{
    public static IEnumerable<(string Method, string Path, JsonElement Operation)> Of(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (op.Name, path.Name, op.Value)));
}
