using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using EmailEngine.Tests.MailWizz;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Contacts;

/// <summary>
/// "Workflow V2" of the operator's V2 setup procedure (a new contact, steps 1–7), against real PostgreSQL and the
/// MailWizz stand-in over HTTP.
/// </summary>
[LongRunning(25)]
public sealed class ContactWorkflowTests : MailWizzStackTest
{
    private async Task<HttpResponseMessage> PostContactAsync(object contact, HttpClient? client = null) =>
        await (client ?? Client).PostAsJsonAsync("/api/v2/contacts", contact);

    private async Task<JsonElement> SubscribersAsync(string listName = "ee:client-1:fr")
    {
        var state = await MailWizz.StateAsync();
        return state.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("name").GetString() == listName).GetProperty("subscribers");
    }

    [Fact]
    public async Task New_contact_for_a_tenant_with_no_templates_gets_the_rendered_welcome_message()
    {
        var curl = await ProcessRunner.RunAsync("curl", ["-s", "-w", "\n%{http_code}", "-X", "POST", new Uri(Engine.BaseAddress, "/api/v2/contacts").ToString(),
            "-H", $"X-API-KEY: {EngineServer.OperatorKey}", "-d",
            """{"email": " Zoe.Martin@Example.COM ", "first_name": "Zoé", "last_name": "Martin", "company": "Acme Voyages", "language": "fr", "tenant": "client-1", "source": "landing-page"}"""]);
        Assert.EndsWith("\n202", curl.StdOut);

        await Engine.SyncAllAsync();
        await OutageTests.WaitAsync(async () => (await MailWizz.MessagesAsync()).GetArrayLength() == 1, TimeSpan.FromSeconds(10));

        var subscriber = Assert.Single((await SubscribersAsync()).EnumerateArray());
        Assert.Equal("Zoe.Martin@example.com", subscriber.GetProperty("email").GetString());
        Assert.Equal("Acme Voyages", subscriber.GetProperty("fields").GetProperty("COMPANY").GetString());
        var message = (await MailWizz.MessagesAsync())[0];
        Assert.Equal("Zoe.Martin@example.com", message.GetProperty("To").GetString());
        Assert.Equal("Bienvenue, Zoé !", message.GetProperty("Subject").GetString());
        Assert.Contains("Bonjour Zoé,", message.GetProperty("Html").GetString());
        Assert.Contains("chez Acme Voyages.", message.GetProperty("Html").GetString());
        Assert.DoesNotContain("[UNSUBSCRIBE_URL]", message.GetProperty("Html").GetString());

        var contact = await Client.GetFromJsonAsync<JsonElement>("/api/v2/contacts/1");
        Assert.Equal("synced", contact.GetProperty("sync").GetProperty("status").GetString());
        Assert.Equal(subscriber.GetProperty("uid").GetString(), contact.GetProperty("sync").GetProperty("remote_uid").GetString());
        Assert.Equal(["received", "validated", "stored", "template_chosen", "autoresponder_chosen", "queued", "pushed"],
            contact.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        var templates = await Client.GetFromJsonAsync<JsonElement>("/api/v2/templates?tenant=client-1");
        Assert.Equal("welcome_fr", Assert.Single(templates.GetProperty("items").EnumerateArray()).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData(null, null, "SOS Holidays SARL")] // the operator's COMPANY_NAME, never the tenant slug
    [InlineData("Client One SA", null, "Client One SA")]
    [InlineData("Client One SA", "Acme Voyages", "Acme Voyages")]
    public async Task Company_tag_is_the_contacts_own_else_the_company_of_the_tenants_list(string? tenantCompany, string? contactCompany, string expected)
    {
        (await Client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1", sender = new { company_name = tenantCompany } })).EnsureSuccessStatusCode();

        await PostContactAsync(new { email = "zoe@example.com", fname = "Zoé", company = contactCompany, tenant = "client-1", language = "fr" });
        await Engine.SyncAllAsync();
        await OutageTests.WaitAsync(async () => (await MailWizz.MessagesAsync()).GetArrayLength() == 1, TimeSpan.FromSeconds(10));

        var list = (await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "ee:client-1:fr");
        Assert.Equal(tenantCompany ?? "SOS Holidays SARL", list.GetProperty("values").GetProperty("company[name]").GetString());
        var subscriber = Assert.Single(list.GetProperty("subscribers").EnumerateArray());
        Assert.Equal(expected, subscriber.GetProperty("fields").GetProperty("COMPANY").GetString());
        Assert.Contains($"chez {expected}.", (await MailWizz.MessagesAsync())[0].GetProperty("Html").GetString());
    }

    [Fact]
    public async Task Post_answers_with_the_contacts_timeline_as_a_later_get_shows_it()
    {
        static IEnumerable<string?> Types(JsonElement contact) => contact.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("type").GetString());
        string[] firstRequest = ["received", "validated", "stored", "template_chosen", "autoresponder_chosen", "queued"];

        var created = await (await PostContactAsync(new { email = "t@example.com", tenant = "client-1", language = "fr" })).Content.ReadFromJsonAsync<JsonElement>();
        var repeated = await (await PostContactAsync(new { email = "T@example.com", fname = "Tom", tenant = "client-1" })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(firstRequest, Types(created));
        Assert.Equal([.. firstRequest, "received", "validated", "updated", "template_chosen", "autoresponder_chosen", "queued"], Types(repeated));
        Assert.Equal(repeated.GetRawText(), (await Client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/{created.GetProperty("id").GetInt64()}")).GetRawText());
    }

    [Fact]
    public async Task Same_contact_twice_updates_it_and_never_duplicates()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await PostContactAsync(new { email = "a@example.com", fname = "Ann", tenant = "client-1", language = "fr" })).StatusCode);
        await Engine.SyncAllAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await PostContactAsync(new { email = "A@EXAMPLE.com", fname = "Anne", tenant = "client-1", language = "fr" })).StatusCode);
        await Engine.SyncAllAsync();

        var subscriber = Assert.Single((await SubscribersAsync()).EnumerateArray());
        Assert.Equal("Anne", subscriber.GetProperty("fields").GetProperty("FNAME").GetString());
        Assert.Equal(1, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(1, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM campaigns"));
    }

    [Fact]
    public async Task Suppressed_contact_is_stored_as_suppressed_and_never_sent_to_mailwizz()
    {
        await Client.PostAsJsonAsync("/api/v2/suppressions", new { email = "gone@example.com", reason = "complaint", scope = "global" });

        var response = await PostContactAsync(new { email = "gone@example.com", tenant = "client-1", language = "fr" });
        await Engine.SyncAllAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("suppressed", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.DoesNotContain((await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray(),
            l => l.GetProperty("subscribers").EnumerateArray().Any(s => s.GetProperty("email").GetString() == "gone@example.com"));
    }

    [Fact]
    public async Task Contact_sent_while_mailwizz_is_down_is_kept_and_delivered_when_it_is_back()
    {
        await MailWizz.SetFaultsAsync(new { down_for_seconds = 600 });
        var response = await PostContactAsync(new { email = "later@example.com", fname = "Léa", tenant = "client-1", language = "fr" });
        await Engine.Services.GetRequiredService<EmailEngine.Outbox.OutboxDispatcher>().DrainAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var pending = await Client.GetFromJsonAsync<JsonElement>("/api/v2/contacts/1");
        Assert.Equal("pending", pending.GetProperty("sync").GetProperty("status").GetString());

        await MailWizz.SetFaultsAsync(new { down_for_seconds = 0 });
        await Engine.Postgres.ScalarAsync<long>("UPDATE outbox_messages SET next_attempt_at = now() WHERE status = 'pending' RETURNING 1");
        await Engine.SyncAllAsync(TimeSpan.FromSeconds(60));

        Assert.Single((await SubscribersAsync()).EnumerateArray());
        Assert.Equal("synced", (await Client.GetFromJsonAsync<JsonElement>("/api/v2/contacts/1")).GetProperty("sync").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("fr-CA", "fr", "welcome_v2_fr")]
    [InlineData("fr", "fr", "welcome_v2_fr")]
    [InlineData("de", "fr", "welcome_v2_fr")]
    [InlineData("en", "en", "welcome_en")]
    public async Task Welcome_template_follows_the_language_fallback(string contactLanguage, string expectedLanguage, string expectedTemplate)
    {
        await Client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1", default_language = "fr" });
        await Client.PostAsJsonAsync("/api/v2/templates", new { name = "welcome_v2_fr", subject = "Bienvenue [FNAME]", html = "<p>Bonjour [FNAME]</p>", language = "fr", tenant = "client-1" });
        if (contactLanguage == "en")
            await Client.PostAsJsonAsync("/api/v2/templates", new { name = "welcome_en", subject = "Welcome [FNAME]", html = "<p>Hi [FNAME]</p>", language = "en", tenant = "client-1" });

        var response = await PostContactAsync(new { email = "x@example.com", tenant = "client-1", language = contactLanguage });
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var contact = await Client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/{id}");
        var chosen = contact.GetProperty("timeline").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "template_chosen").GetProperty("detail").GetString();
        Assert.StartsWith($"{expectedTemplate} ({expectedLanguage})", chosen);
    }

    [Fact]
    public async Task Tenants_never_see_each_others_contacts()
    {
        var key1 = await Engine.CreateTenantKeyAsync("client-1");
        var key2 = await Engine.CreateTenantKeyAsync("client-2");
        using var tenant1 = Engine.Client(key1);
        using var tenant2 = Engine.Client(key2);
        var mine = await (await PostContactAsync(new { email = "a@example.com", language = "fr" }, tenant1)).Content.ReadFromJsonAsync<JsonElement>();

        var list = await tenant2.GetFromJsonAsync<JsonElement>("/api/v2/contacts");
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant2.GetAsync($"/api/v2/contacts/{mine.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant2.DeleteAsync($"/api/v2/contacts/{mine.GetProperty("id").GetInt64()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostContactAsync(new { email = "b@example.com", tenant = "client-1" }, tenant2)).StatusCode);
    }

    [Fact]
    public async Task The_operator_pages_through_every_tenants_contacts_in_id_order()
    {
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) // alternating tenants: each page merges their ranges of the primary key
        {
            var response = await PostContactAsync(new { email = $"page{i}@example.com", tenant = i % 2 == 0 ? "client-1" : "client-2" });
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        }

        var seen = new List<long>();
        long? after = null;
        do
        {
            var page = await Client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts?limit=3{(after is null ? "" : $"&after={after}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
            after = page.GetProperty("next_after").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_after").GetInt64();
        } while (after is not null);

        Assert.Equal(ids.Order(), seen);
        var oneTenant = await Client.GetFromJsonAsync<JsonElement>("/api/v2/contacts?tenant=client-2&limit=10");
        Assert.Equal(ids.Where((_, i) => i % 2 == 1).Order(), oneTenant.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetInt64()));
    }

    [Theory]
    [InlineData("""{"tenant": "client-1"}""", "email")]
    [InlineData("""{"email": "no-at-sign", "tenant": "client-1"}""", "email")]
    [InlineData("""{"email": "a@[127.0.0.1]", "tenant": "client-1"}""", "email")]
    [InlineData("""{"email": "a@example.com", "language": "klingon-xx-yy-zz-123456789", "tenant": "client-1"}""", "language")]
    [InlineData("""{"email": "a@example.com", "fields": {"bad tag": "x"}, "tenant": "client-1"}""", "fields.bad tag")]
    [InlineData("""{"email": "a@example.com", "consent": {"ip": "999.1.1.1"}, "tenant": "client-1"}""", "consent.ip")]
    public async Task Bad_contact_is_rejected_with_the_reason_and_nothing_written(string json, string field)
    {
        var response = await Client.PostAsync("/api/v2/contacts", new StringContent(json));

        var message = await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, field);
        Assert.NotEmpty(message);
        Assert.Equal(0, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(0, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages"));
    }

    [Fact]
    public async Task Erase_removes_the_contact_deletes_the_subscriber_and_blocks_reimport()
    {
        await PostContactAsync(new { email = "forget@example.com", fname = "F", tenant = "client-1", language = "fr" });
        await Engine.SyncAllAsync();
        Assert.Single((await SubscribersAsync()).EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync("/api/v2/contacts/1")).StatusCode);
        await Engine.SyncAllAsync();

        Assert.Empty((await SubscribersAsync()).EnumerateArray());
        Assert.Equal(0, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(0, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contact_events"));
        Assert.Equal(0, await Engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM suppressions WHERE email IS NOT NULL"));
        var again = await PostContactAsync(new { email = "forget@example.com", tenant = "client-1" });
        Assert.Equal("suppressed", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
    }
}
