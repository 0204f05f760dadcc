using System.Net;
using System.Text;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>
/// Walks the OpenAPI document and sends every operation what a careless or hostile client would: ids that are not ids,
/// bodies that are not JSON or not the declared shape, values of the wrong type, overflowing numbers, huge strings,
/// junk query strings; with the operator key and with a tenant key. No answer may be a 5xx, every 4xx is a problem
/// document, and nothing is stored. Operations without a body or path id are only sent junk query strings (a POST
/// such as a deploy is a real action, not malformed input).
/// </summary>
[LongRunning(20)]
public sealed class MalformedRequestTests : ApiTest
{
    // Not %00: Kestrel itself refuses a NUL in the path with a bare 400, before any application code runs.
    private static readonly string[] BadIds = ["abc", "-1", "0", "99999999999999999999", "%01", "..%2F..", "%E2%80%AE", "%ZZ"];
    private static readonly string[] JunkQueries = ["", "?limit=abc&offset=-5&from=yesterday&to=%00&tenant=%ZZ", "?page=99999999999999999999&days=1e400"];
    private static readonly string[] NotJson = ["{", "{\"a\":", "[]", "\"text\"", "12", "null", "true", new string('[', 300) + new string(']', 300), "\u0000"];

    [Fact]
    public async Task Every_operation_answers_malformed_input_with_a_4xx_problem_and_stores_nothing()
    {
        var document = JsonDocument.Parse(await Client.GetStringAsync("/openapi/v1.json")).RootElement;
        using var tenant = Server.Client(await Server.CreateTenantKeyAsync("client-1"));
        var before = await RowCountsAsync();
        var failures = new List<(string Kind, string Example)>();
        var sent = 0;

        foreach (var (method, path, operation) in OpenApiOperations.Of(document).Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var hasBody = operation.TryGetProperty("requestBody", out var requestBody);
            var hasId = path.Contains('{');
            var urls = hasId ? BadIds.Select(id => FillPath(path, id)).ToList() : [];
            if (!hasBody && !hasId)
            {
                if (method != "get")
                    continue;
                urls = JunkQueries.Select(query => path + query).ToList();
            }
            List<string?> bodies = hasBody ? [.. Bodies(document, requestBody)] : [null];
            foreach (var url in hasId ? urls : hasBody ? [path] : urls)
                foreach (var body in bodies)
                    foreach (var client in new[] { Client, tenant })
                    {
                        sent++;
                        var response = await client.SendAsync(Request(method, url, body));
                        var status = (int)response.StatusCode;
                        var type = response.Content.Headers.ContentType?.MediaType;
                        if (status >= 500 || status is >= 400 and < 500 && type != "application/problem+json" && status != 405)
                            failures.Add((Kind: $"{method.ToUpperInvariant()} {path} → {status} {type}",
                                Example: $"{url} {Shorten(body)} → {Shorten(await response.Content.ReadAsStringAsync())}"));
                    }
        }

        Assert.True(sent > 1_000, $"only {sent} requests: is the document walked?");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent}, by operation and answer:\n"
            + string.Join("\n", failures.GroupBy(f => f.Kind).Select(g => $"{g.Key} ×{g.Count()}, e.g. {g.First().Example}")));
        Assert.Equal(before, await RowCountsAsync());
    }

    private static string FillPath(string path, string id)
    {
        var text = new StringBuilder();
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] != '{')
            {
                text.Append(path[i]);
                continue;
            }
            i = path.IndexOf('}', i);
            text.Append(id);
        }
        return text.ToString();
    }

    /// <summary>Bodies that are not JSON or not an object, then the declared object with each property in turn given wrong values.</summary>
    private static IEnumerable<string> Bodies(JsonElement document, JsonElement requestBody)
    {
        // JSON null is no body at all: where the body is optional, that is a real request (a deploy with its defaults).
        var optional = !(requestBody.TryGetProperty("required", out var required) && required.GetBoolean());
        foreach (var text in NotJson.Where(t => !(optional && t == "null")))
            yield return text;
        if (!requestBody.TryGetProperty("content", out var content) || !content.TryGetProperty("application/json", out var json)
            || !json.TryGetProperty("schema", out var schema))
            yield break;
        var properties = Resolve(document, schema).TryGetProperty("properties", out var declared) ? declared.EnumerateObject().ToList() : [];
        foreach (var property in properties)
            foreach (var wrong in WrongValues(Resolve(document, property.Value)))
                yield return $"{{{JsonSerializer.Serialize(property.Name)}: {wrong}}}";
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            var node = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                node = node.GetProperty(part);
            schema = node;
        }
        return schema;
    }

    private static IEnumerable<string> WrongValues(JsonElement schema)
    {
        var type = schema.TryGetProperty("type", out var declared) ? declared.ToString() : "";
        if (type.Contains("string"))
            return ["12345", "{\"a\": 1}", $"\"{new string('x', 100_000)}\"", "\"\\ud800\""];
        if (type.Contains("integer") || type.Contains("number"))
            return ["\"abc\"", "1e400", "99999999999999999999", "-99999999999999999999", "1.5"];
        if (type.Contains("boolean"))
            return ["\"yes\"", "2"];
        if (type.Contains("array"))
            return ["{}", "\"a,b\"", $"[{string.Join(',', Enumerable.Repeat("\"x\"", 10_000))}]"];
        // Untyped (the document leaves some properties open) or an object: a bit of everything.
        return ["[]", "12", "{\"a\": {\"b\": []}}", $"\"{new string('x', 100_000)}\"", "\"\\ud800\""];
    }

    private static HttpRequestMessage Request(string method, string url, string? body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 120 ? text : text[..120] + "…";

    private async Task<string> RowCountsAsync()
    {
        var tables = await Server.Postgres.ScalarAsync<string>(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
        var counts = string.Join(" || ' ' || ", tables!.Split(',').Select(t => $"'{t}=' || (SELECT count(*) FROM \"{t}\")"));
        return (await Server.Postgres.ScalarAsync<string>($"SELECT {counts}"))!;
    }
}
