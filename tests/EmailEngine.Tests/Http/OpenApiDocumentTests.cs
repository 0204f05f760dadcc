using System.Net;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>
/// <c>/openapi/v1.json</c> as a client generator or the /docs "try it" page reads it: fetched without a key from a
/// running engine.
/// </summary>
public sealed class OpenApiDocumentTests : IAsyncLifetime
{
    private EngineServer _server = null!;
    private JsonElement _document;

    public async Task InitializeAsync()
    {
        _server = await EngineServer.StartAsync(Provider.Sqlite);
        using var anonymous = _server.Client(apiKey: null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public void The_api_key_header_is_the_security_scheme_and_the_open_routes_are_named()
    {
        var scheme = _document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");

        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-API-KEY", scheme.GetProperty("name").GetString());
        var description = _document.GetProperty("info").GetProperty("description").GetString()!;
        foreach (var open in new[] { "`/health`", "`/ready`", "`/docs`", "`/openapi/v1.json`" })
            Assert.Contains(open, description);
    }

    [Fact]
    public void Every_api_operation_requires_the_key_and_the_health_routes_do_not()
    {
        var operations = Operations().ToList();

        foreach (var (method, path, operation) in operations.Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
            Assert.True(RequiresApiKey(operation), $"{method} {path} does not require the key");
        Assert.False(RequiresApiKey(Operation("get", "/health")));
        Assert.False(RequiresApiKey(Operation("get", "/ready")));
    }

    /// <summary>Declared error codes hide the framework's default 200: each operation must name its own success.</summary>
    [Fact]
    public void Every_api_operation_declares_its_success_and_the_missing_key_answer()
    {
        foreach (var (method, path, operation) in Operations().Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var codes = Responses(operation).Select(r => r.Name).ToList();
            Assert.True(codes.Any(c => c.StartsWith('2')), $"{method} {path} declares no success: {string.Join(", ", codes)}");
            Assert.Contains("401", codes);
        }
    }

    /// <summary>A client generator gets a type for every body: each success but 204 names the schema of what it returns.</summary>
    [Fact]
    public void Every_api_success_with_a_body_names_its_schema()
    {
        var untyped = Operations().Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(o => Responses(o.Operation).Where(r => r.Name.StartsWith('2') && r.Name != "204")
                .Where(r => !r.Value.TryGetProperty("content", out var content) || !content.EnumerateObject().Any(c => c.Value.TryGetProperty("schema", out _)))
                .Select(r => $"{o.Method} {o.Path} {r.Name}"))
            .ToList();

        Assert.True(Operations().Count(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)) >= 90, "read too few operations");
        Assert.Empty(untyped);
    }

    /// <summary>
    /// The generator describes a type behind a custom JSON converter (strings, timestamps) as "anything": every
    /// property, item and parameter must say what it is, nullable where it may be null.
    /// </summary>
    [Fact]
    public void Every_property_and_parameter_names_its_type()
    {
        var untyped = new List<string>();
        // JsonElement is free-form by design: a warmup decision's figures differ with its kind.
        foreach (var schema in _document.GetProperty("components").GetProperty("schemas").EnumerateObject().Where(s => s.Name != "JsonElement"))
            CollectUntyped(schema.Value, schema.Name, untyped);
        foreach (var (method, path, operation) in Operations())
            if (operation.TryGetProperty("parameters", out var parameters))
                foreach (var parameter in parameters.EnumerateArray())
                    CollectUntyped(parameter.GetProperty("schema"), $"{method} {path} {parameter.GetProperty("name").GetString()}", untyped);

        Assert.Empty(untyped);
        var ip = _document.GetProperty("components").GetProperty("schemas").GetProperty("IpResponse").GetProperty("properties");
        Assert.Equal("string", TypeOf(ip.GetProperty("ip")));
        Assert.Equal("null|string", TypeOf(ip.GetProperty("tenant")));
        Assert.Equal(("string", "date-time"), (TypeOf(ip.GetProperty("created_at")), ip.GetProperty("created_at").GetProperty("format").GetString()));
    }

    private static string TypeOf(JsonElement schema) => schema.GetProperty("type") is { ValueKind: JsonValueKind.Array } types
        ? string.Join('|', types.EnumerateArray().Select(t => t.GetString()))
        : schema.GetProperty("type").GetString()!;

    private static void CollectUntyped(JsonElement schema, string where, List<string> untyped)
    {
        if (!new[] { "type", "$ref", "oneOf", "anyOf", "allOf" }.Any(keyword => schema.TryGetProperty(keyword, out _)))
            untyped.Add(where);
        if (schema.TryGetProperty("properties", out var properties))
            foreach (var property in properties.EnumerateObject())
                CollectUntyped(property.Value, $"{where}.{property.Name}", untyped);
        if (schema.TryGetProperty("items", out var items))
            CollectUntyped(items, $"{where}[]", untyped);
        if (schema.TryGetProperty("additionalProperties", out var values) && values.ValueKind == JsonValueKind.Object)
            CollectUntyped(values, $"{where}{{}}", untyped);
    }

    [Fact]
    public void Contact_intake_lists_202_and_its_problems()
    {
        var responses = Operation("post", "/api/v2/contacts").GetProperty("responses");

        Assert.Equal("#/components/schemas/ContactResponse", Schema(responses, "202", "application/json"));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(responses, "400", "application/problem+json"));
        Assert.Equal("#/components/schemas/ProblemDetails", Schema(responses, "404", "application/problem+json"));
    }

    [Fact]
    public void Ip_registration_lists_201_400_409_413_and_403_for_a_tenant_key()
    {
        var responses = Operation("post", "/api/v1/ips").GetProperty("responses");

        Assert.Equal("#/components/schemas/ProblemDetails", Schema(responses, "413", "application/problem+json")); // every body has a size limit

        Assert.Equal("#/components/schemas/IpResponse", Schema(responses, "201", "application/json"));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(responses, "400", "application/problem+json"));
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(responses, "409", "application/problem+json"));
        Assert.Equal("#/components/schemas/ProblemDetails", Schema(responses, "403", "application/problem+json"));
        Assert.False(responses.TryGetProperty("200", out _));
    }

    [Fact]
    public void Deletes_list_204_and_campaigns_list_422()
    {
        Assert.True(Operation("delete", "/api/v1/ips/{id}").GetProperty("responses").TryGetProperty("204", out var deleted));
        Assert.False(deleted.TryGetProperty("content", out _));
        var campaign = Operation("post", "/api/v2/campaigns").GetProperty("responses");
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails", Schema(campaign, "422", "application/problem+json"));
    }

    private IEnumerable<(string Method, string Path, JsonElement Operation)> Operations() => OpenApiOperations.Of(_document);

    private JsonElement Operation(string method, string path) => _document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static IEnumerable<JsonProperty> Responses(JsonElement operation) => operation.GetProperty("responses").EnumerateObject();

    private static bool RequiresApiKey(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
        && security.EnumerateArray().Any(requirement => requirement.TryGetProperty("ApiKey", out _));

    private static string? Schema(JsonElement responses, string status, string contentType) =>
        responses.GetProperty(status).GetProperty("content").GetProperty(contentType).GetProperty("schema").GetProperty("$ref").GetString();
}
