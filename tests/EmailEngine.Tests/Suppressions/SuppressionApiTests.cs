using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;

namespace EmailEngine.Tests.Suppressions;

public sealed class SuppressionApiTests : ApiTest
{
    private async Task<JsonElement> CheckAsync(HttpClient client, string email, string? tenant = "client-1") =>
        await client.GetFromJsonAsync<JsonElement>($"/api/v2/suppressions/check?email={Uri.EscapeDataString(email)}" + (tenant is null ? "" : $"&tenant={tenant}"));

    [Fact]
    public async Task Tenant_suppression_applies_to_that_tenant_only_and_queues_an_unsubscribe()
    {
        var added = await Client.PostAsJsonAsync("/api/v2/suppressions", new { email = "Jane@Example.com ", reason = "unsubscribe", tenant = "client-1" });
        var again = await Client.PostAsJsonAsync("/api/v2/suppressions", new { email = "jane@example.com", reason = "unsubscribe", tenant = "client-1" });

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await CheckAsync(Client, "JANE@example.com")).GetProperty("suppressed").GetBoolean());
        Assert.False((await CheckAsync(Client, "jane@example.com", "client-2")).GetProperty("suppressed").GetBoolean());
        Assert.Equal(1, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE kind = 'mailwizz.unsubscribe'"));
    }

    [Fact]
    public async Task Global_suppression_applies_to_every_tenant_and_only_the_operator_manages_it()
    {
        var key = await Server.CreateTenantKeyAsync("client-2");
        using var tenant = Server.Client(key);

        var byTenant = await tenant.PostAsJsonAsync("/api/v2/suppressions", new { email = "abuse@example.com", scope = "global" });
        var byOperator = await Client.PostAsJsonAsync("/api/v2/suppressions", new { email = "abuse@example.com", reason = "complaint", scope = "global" });

        Assert.Equal(HttpStatusCode.Forbidden, byTenant.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byOperator.StatusCode);
        var check = await CheckAsync(tenant, "abuse@example.com", tenant: null);
        Assert.True(check.GetProperty("suppressed").GetBoolean());
        Assert.Equal("global", check.GetProperty("entries")[0].GetProperty("scope").GetString());
        var id = (await byOperator.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.DeleteAsync($"/api/v2/suppressions/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"reason": "manual", "tenant": "client-1"}""", "email")]
    [InlineData("""{"email": "not an address", "tenant": "client-1"}""", "email")]
    [InlineData("""{"email": "a@example.com", "reason": "bored", "tenant": "client-1"}""", "reason")]
    [InlineData("""{"email": "a@example.com", "scope": "planet", "tenant": "client-1"}""", "scope")]
    public async Task Bad_input_is_rejected_and_nothing_written(string json, string field)
    {
        var response = await Client.PostAsync("/api/v2/suppressions", new StringContent(json));

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM suppressions"));
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task Csv_import_reports_rows_and_export_round_trips()
    {
        var csv = "email,reason,note\na@example.com,hard_bounce,from old ESP\nb@example.com,,\nnot-an-email,manual,\nc@example.com,weird,\na@example.com,hard_bounce,\n"
            + "\"d@example.com\",manual,\"asked by phone, 3 May\"\n";

        var imported = await (await Client.PostAsync("/api/v2/suppressions/import?tenant=client-1", new StringContent(csv, System.Text.Encoding.UTF8, "text/csv"))).Content.ReadFromJsonAsync<JsonElement>();
        var exported = await Client.GetStringAsync("/api/v2/suppressions/export?tenant=client-1");

        Assert.Equal(3, imported.GetProperty("added").GetInt32());
        Assert.Equal(1, imported.GetProperty("already_suppressed").GetInt32());
        Assert.Equal([4, 5], imported.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("row").GetInt32()));
        var lines = exported.Trim().Split('\n');
        Assert.Equal("email,reason,created_at", lines[0]);
        Assert.StartsWith("a@example.com,hard_bounce,", lines[1]);
        Assert.StartsWith("b@example.com,manual,", lines[2]);
        Assert.StartsWith("d@example.com,manual,", lines[3]);
        // A quoted note keeps its comma.
        var listed = await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions?tenant=client-1");
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), s => s.GetProperty("note").GetString() == "asked by phone, 3 May");
    }
}
