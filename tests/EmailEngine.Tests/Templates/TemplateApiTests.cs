using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Templates;

public sealed class TemplateApiTests : ApiTest
{
    internal static object SeedTemplate(string tenant = "client-1", string name = "welcome_v2_fr") => new
    {
        name, subject = "Bienvenue sur [COMPANY]", html = "<html><body>Bonjour [FNAME]...</body></html>", language = "fr", tenant,
    };

    [Fact]
    public async Task Create_stores_the_template_lists_its_tags_and_queues_a_push_in_the_same_transaction()
    {
        var response = await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["COMPANY", "FNAME"], body.GetProperty("merge_tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains("unsubscribe", body.GetProperty("warnings")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("pending", body.GetProperty("sync").GetProperty("status").GetString());
        Assert.Equal("client-1", body.GetProperty("tenant").GetString());
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal(1, await Server.Postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE resource_key = 'template:{id}' AND status = 'pending'"));
    }

    [Fact]
    public async Task Template_with_an_unsubscribe_link_has_no_warning()
    {
        var response = await Client.PostAsJsonAsync("/api/v2/templates", new
        {
            name = "t", subject = "Hi", html = "<p>Hi [FNAME]</p><a href=\"[UNSUBSCRIBE_URL]\">unsubscribe</a>", language = "en", tenant = "client-1",
        });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, body.GetProperty("warnings").GetArrayLength());
    }

    [Theory]
    [InlineData("name", null)]
    [InlineData("subject", null)]
    [InlineData("html", null)]
    [InlineData("language", null)]
    [InlineData("language", "french")]
    [InlineData("language", "f")]
    [InlineData("language", "fr_CA_x_123456789")]
    [InlineData("html", "<html><body><div class=\"a>broken</body></html>")]
    [InlineData("html", "<html><body><p>unterminated <b")]
    [InlineData("html", "<html><body><!-- never closed")]
    [InlineData("tenant", "Client One")]
    public async Task Bad_input_is_rejected_with_a_field_message_and_nothing_written(string field, string? value)
    {
        var body = new Dictionary<string, string?>
        {
            ["name"] = "welcome", ["subject"] = "Hi", ["html"] = "<p>Hi</p>", ["language"] = "fr", ["tenant"] = "client-1",
        };
        body[field] = value;

        var response = await Client.PostAsJsonAsync("/api/v2/templates", body);

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, field);
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM templates"));
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task Broken_html_error_names_the_position()
    {
        var response = await Client.PostAsJsonAsync("/api/v2/templates", new
        {
            name = "t", subject = "s", html = "<html>\n<body>\n<p>ok</p>\n<a href=\"x\" <b>bad</b>\n</body></html>", language = "en", tenant = "c",
        });

        var message = await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "html");
        Assert.Matches(@"line \d+, column \d+", message);
    }

    [Fact]
    public async Task Duplicate_name_in_a_tenant_returns_409_but_another_tenant_may_use_it()
    {
        (await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate())).EnsureSuccessStatusCode();

        var duplicate = await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate());
        var otherTenant = await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate(tenant: "client-2"));

        await IpValidationTests.AssertFieldError(duplicate, HttpStatusCode.Conflict, "name");
        Assert.Equal(HttpStatusCode.Created, otherTenant.StatusCode);
        Assert.Equal(2, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM templates"));
    }

    [Fact]
    public async Task Tenant_keys_see_only_their_own_templates()
    {
        var key1 = await Server.CreateTenantKeyAsync("client-1");
        await Server.CreateTenantKeyAsync("client-2");
        var created = await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate(tenant: "client-2"));
        var otherId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        using var tenant1 = Server.Client(key1);

        var own = await tenant1.PostAsJsonAsync("/api/v2/templates", new { name = "mine", subject = "s", html = "<p>x</p>", language = "en" });
        var list = await tenant1.GetFromJsonAsync<JsonElement>("/api/v2/templates");
        var foreignGet = await tenant1.GetAsync($"/api/v2/templates/{otherId}");
        var foreignPatch = await tenant1.PatchAsJsonAsync($"/api/v2/templates/{otherId}", new { subject = "hijack" });
        var foreignDelete = await tenant1.DeleteAsync($"/api/v2/templates/{otherId}");
        var foreignTenant = await tenant1.PostAsJsonAsync("/api/v2/templates", SeedTemplate(tenant: "client-2", name: "x"));

        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(["mine"], list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, foreignGet.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignPatch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, foreignTenant.StatusCode);
        Assert.Equal("Bienvenue sur [COMPANY]", await Server.Postgres.ScalarAsync<string>($"SELECT subject FROM templates WHERE id = {otherId}"));
    }

    [Fact]
    public async Task Update_queues_a_new_push_and_delete_queues_a_removal()
    {
        var created = await (await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate())).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt64();

        var updated = await Client.PatchAsJsonAsync($"/api/v2/templates/{id}", new { subject = "Bienvenue chez [COMPANY], [FNAME]" });
        var deleted = await Client.DeleteAsync($"/api/v2/templates/{id}");

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM templates"));
        // Every change is queued; when their turn comes the older pushes are skipped (the newest reconciles from the
        // current state), so only the removal runs.
        Assert.Equal(3, await Server.Postgres.ScalarAsync<long>($"SELECT count(*) FROM outbox_messages WHERE resource_key = 'template:{id}' AND status = 'pending'"));
        await Server.Services.GetRequiredService<EmailEngine.Outbox.OutboxDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Equal(2, await Server.Postgres.ScalarAsync<long>(
            $"SELECT count(*) FROM outbox_messages WHERE resource_key = 'template:{id}' AND status = 'done' AND last_error = 'superseded by a newer change'"));
        Assert.Contains("welcome_v2_fr", await Server.Postgres.ScalarAsync<string>(
            $"SELECT payload FROM outbox_messages WHERE resource_key = 'template:{id}' AND last_error IS DISTINCT FROM 'superseded by a newer change'"));
    }

    [Fact]
    public async Task Filters_by_language_and_name_and_previews_with_sample_values()
    {
        var fr = await (await Client.PostAsJsonAsync("/api/v2/templates", SeedTemplate())).Content.ReadFromJsonAsync<JsonElement>();
        await Client.PostAsJsonAsync("/api/v2/templates", new { name = "welcome_en", subject = "Welcome", html = "<p>Hi</p>", language = "en", tenant = "client-1" });

        var french = await Client.GetFromJsonAsync<JsonElement>("/api/v2/templates?tenant=client-1&language=fr");
        var byName = await Client.GetFromJsonAsync<JsonElement>("/api/v2/templates?name=welcome_en");
        var preview = await Client.PostAsJsonAsync($"/api/v2/templates/{fr.GetProperty("id").GetInt64()}/preview",
            new { fields = new Dictionary<string, string> { ["FNAME"] = "Zoé", ["COMPANY"] = "SOS Holidays" } });

        Assert.Single(french.GetProperty("items").EnumerateArray());
        Assert.Equal("welcome_en", byName.GetProperty("items")[0].GetProperty("name").GetString());
        var rendered = await preview.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bienvenue sur SOS Holidays", rendered.GetProperty("subject").GetString());
        Assert.Equal("<html><body>Bonjour Zoé...</body></html>", rendered.GetProperty("html").GetString());
    }
}
