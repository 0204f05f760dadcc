using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>
/// One form for every timestamp the API writes (UTC, milliseconds), on SQLite (which stores 100 µs) as on PostgreSQL
/// (microseconds): what a create answers is what a later read shows.
/// </summary>
public sealed class TimestampFormatTests
{
    private const string Form = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$";

    [Theory]
    [InlineData(Provider.Sqlite)]
    [InlineData(Provider.Postgres)]
    public async Task Timestamps_are_utc_milliseconds_and_a_create_answers_what_a_read_shows(Provider provider)
    {
        await using var engine = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();

        var ip = await PostAsync(client, "/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming" });
        var tenant = await PostAsync(client, "/api/v1/tenants", new { slug = "client-1" });
        var template = await PostAsync(client, "/api/v2/templates", new { name = "welcome_fr", subject = "Bonjour [FNAME]", html = "<p>[FNAME]</p>", language = "fr", tenant = "client-1" });
        var contact = await PostAsync(client, "/api/v2/contacts", new { email = "a@example.com", tenant = "client-1", language = "fr" });
        await PostAsync(client, "/api/v2/suppressions", new { email = "gone@example.com", reason = "complaint", tenant = "client-1" });

        var ipRead = await client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{ip.GetProperty("id").GetInt64()}");
        Assert.Equal(TimestampsIn(ip), TimestampsIn(ipRead));
        Assert.Equal(tenant.GetRawText(), (await client.GetFromJsonAsync<JsonElement>("/api/v1/tenants/client-1")).GetRawText());
        Assert.Equal(template.GetRawText(), (await client.GetFromJsonAsync<JsonElement>($"/api/v2/templates/{template.GetProperty("id").GetInt64()}")).GetRawText());
        Assert.Equal(contact.GetRawText(), (await client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/{contact.GetProperty("id").GetInt64()}")).GetRawText());

        var outbox = await client.GetFromJsonAsync<JsonElement>("/api/v1/outbox");
        var stamps = new[] { ip, tenant, template, contact, outbox }.SelectMany(TimestampsIn).ToList();
        Assert.True(stamps.Count >= 15, string.Join(", ", stamps));
        Assert.All(stamps, s => Assert.Matches(Form, s));
        var exported = (await client.GetStringAsync("/api/v2/suppressions/export?tenant=client-1")).Trim().Split('\n');
        Assert.Matches(Form, exported[1].Split(',')[2]);
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {json}");
        return json;
    }

    /// <summary>Every string value that starts like a date, wherever it is in the document.</summary>
    private static IEnumerable<string> TimestampsIn(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => TimestampsIn(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(TimestampsIn),
        JsonValueKind.String when System.Text.RegularExpressions.Regex.IsMatch(element.GetString()!, @"^\d{4}-\d\d-\d\dT") => [element.GetString()!],
        _ => [],
    };
}
