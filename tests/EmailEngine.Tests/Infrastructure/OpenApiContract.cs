using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// Holds every answer the tests get from <c>/api/</c> to the engine's own OpenAPI document: its status must be one the
/// operation declares (401 excepted: declared once for all routes), and its JSON body must fit the schema declared for
/// that status and media type (the right JSON types, the required properties, no property the schema does not name;
/// a problem document may add extension members). <c>.Produces&lt;T&gt;()</c> only states a type; this catches a
/// handler whose body or status drifted from it. Every client <see cref="EngineServer.Client"/> makes checks its
/// answers, so the whole suite exercises the contract.
/// </summary>
public sealed class OpenApiContract
{
    private readonly JsonElement _document;
    private readonly List<(string Template, Regex Pattern, int Parameters, JsonElement Operations)> _paths;

    public OpenApiContract(JsonElement document)
    {
        _document = document;
        _paths = document.GetProperty("paths").EnumerateObject()
            .Select(p => (p.Name, new Regex("^" + Regex.Replace(Regex.Escape(p.Name), @"\\\{[^}]+}", "[^/]+") + "$"), p.Name.Count(c => c == '{'), p.Value))
            .ToList();
    }

    /// <summary>What is wrong with this answer, or null when it keeps the contract (or is not an API answer).</summary>
    public string? Violation(string method, string path, int status, MediaTypeHeaderValue? contentType, string body)
    {
        // 401 is declared once for every route (the key check runs before routing picks an operation's answers).
        if (!path.StartsWith("/api/", StringComparison.Ordinal) || status is < 200 or > 499 or 401)
            return null;
        // The literal route wins over a template (…/ips/export before …/ips/{id}), as the router chooses.
        var route = _paths.Where(p => p.Pattern.IsMatch(path)).OrderBy(p => p.Parameters).FirstOrDefault();
        if (route.Template is null || !route.Operations.TryGetProperty(method.ToLowerInvariant(), out var operation))
            return $"{method} {path}: no such operation in the document";
        var where = $"{method} {route.Template} {status}";
        if (!operation.GetProperty("responses").TryGetProperty($"{status}", out var response))
            return $"{where}: status not declared";
        if (contentType?.MediaType is not ("application/json" or "application/problem+json") || body.Length == 0)
            return null;
        if (!response.TryGetProperty("content", out var content) || !content.TryGetProperty(contentType.MediaType, out var media)
            || !media.TryGetProperty("schema", out var schema))
            return $"{where}: a body of type {contentType.MediaType} where the document declares none";
        var errors = new List<string>();
        // A problem document may carry extension members (RFC 9457 §3.2).
        Check(schema, JsonDocument.Parse(body).RootElement, "$", errors, extensionsAllowed: contentType.MediaType == "application/problem+json");
        return errors.Count == 0 ? null : $"{where}: {string.Join("; ", errors.Take(5))}";
    }

    private void Check(JsonElement schema, JsonElement value, string at, List<string> errors, bool extensionsAllowed = false)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("oneOf", out var oneOf) || schema.TryGetProperty("anyOf", out oneOf))
        {
            var attempts = oneOf.EnumerateArray().Select(option => { var found = new List<string>(); Check(option, value, at, found); return found; }).ToList();
            if (attempts.All(found => found.Count > 0))
                errors.Add($"{at} fits none of its {attempts.Count} forms ({string.Join(" / ", attempts.Select(f => f[0]))})");
            return;
        }
        if (schema.TryGetProperty("type", out var type) && !Allows(type, value))
        {
            errors.Add($"{at} is {value.ValueKind}, declared {type.GetRawText().Replace("\n", "").Replace(" ", "")}");
            return;
        }
        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in value.EnumerateArray())
                Check(items, item, $"{at}[{index++}]", errors);
        }
        if (value.ValueKind != JsonValueKind.Object)
            return;
        var properties = schema.TryGetProperty("properties", out var declared) ? declared : default;
        var extra = schema.TryGetProperty("additionalProperties", out var additional) ? additional : default;
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                Check(propertySchema, property.Value, $"{at}.{property.Name}", errors);
            else if (extra.ValueKind == JsonValueKind.Object)
                Check(extra, property.Value, $"{at}.{property.Name}", errors);
            else if (properties.ValueKind == JsonValueKind.Object && extra.ValueKind != JsonValueKind.True && !extensionsAllowed)
                errors.Add($"{at}.{property.Name} is not in the schema");
        }
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(name => !value.TryGetProperty(name, out _)))
                errors.Add($"{at}.{name} is required but missing");
    }

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = _document.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }
        return schema;
    }

    private static bool Allows(JsonElement type, JsonElement value) => type.ValueKind == JsonValueKind.Array
        ? type.EnumerateArray().Any(t => Fits(t.GetString()!, value))
        : Fits(type.GetString()!, value);

    private static bool Fits(string type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => false,
    };
}

/// <summary>Fails a request whose answer breaks the <see cref="OpenApiContract"/>, naming the operation and the field.</summary>
public sealed class ContractCheckingHandler(Func<Task<OpenApiContract>> contract) : DelegatingHandler(new HttpClientHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var response = await base.SendAsync(request, ct);
        var path = request.RequestUri!.AbsolutePath;
        if (!path.StartsWith("/api/", StringComparison.Ordinal))
            return response;
        await response.Content.LoadIntoBufferAsync(ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if ((await contract()).Violation(request.Method.Method, path, (int)response.StatusCode, response.Content.Headers.ContentType, body) is { } violation)
            throw new OpenApiContractException($"{violation}\nbody: {(body.Length > 600 ? body[..600] + "…" : body)}");
        return response;
    }
}

public sealed class OpenApiContractException(string message) : Exception(message);
