using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>
/// Text over its column's length, or holding U+0000 where no JSON rule sees it (a query string), answered 500 on
/// PostgreSQL and was stored on SQLite. Both providers now refuse it the same way, before anything is written: 400
/// naming the field.
/// </summary>
public sealed class TextRulesTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Text_longer_than_its_column_is_a_400_naming_the_field_on_both_providers(Provider provider)
    {
        await using var server = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = server.Client();

        var tenant = await client.PostAsJsonAsync("/api/v1/tenants", new { slug = "acme", name = new string('a', 201) });
        var suppression = await client.PostAsJsonAsync("/api/v2/suppressions",
            new { email = "a@example.com", reason = "manual", tenant = "client-1", note = new string('n', 501) });
        var config = await client.PostAsync("/api/v1/pmta/import-v1?name=v1%00.conf", new StringContent("postmaster admin@example.com\n"));

        foreach (var (response, field, problem) in new[] { (tenant, "name", "at most 200"), (suppression, "note", "at most 500"), (config, "source_name", "NUL") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains(problem, body.GetProperty("errors").GetProperty(field)[0].GetString());
        }
        Assert.Contains("\"latest\":null", (await client.GetStringAsync("/api/v1/pmta/base")).Replace(" ", ""));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/tenants/acme")).StatusCode);

        // At the limit it is accepted, and only that one is stored.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/tenants", new { slug = "acme", name = new string('a', 200) })).StatusCode);
        Assert.True((await client.PostAsJsonAsync("/api/v2/suppressions",
            new { email = "a@example.com", reason = "manual", tenant = "client-1", note = new string('n', 500) })).IsSuccessStatusCode);
        var stored = (await client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions?tenant=client-1")).GetProperty("items");
        Assert.Equal(500, Assert.Single(stored.EnumerateArray()).GetProperty("note").GetString()!.Length);
    }
}
