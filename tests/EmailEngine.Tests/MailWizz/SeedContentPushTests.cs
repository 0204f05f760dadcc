using System.Text;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Outbox;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// "Création de contenu" (content creation) of the operator's V2 setup procedure: both curls verbatim, then what
/// MailWizz (the stand-in) holds.
/// </summary>
public sealed class SeedContentPushTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Seed_template_and_campaign_reach_mailwizz(Provider provider)
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = mailwizz.EngineSettings();
        settings["API_KEY"] = "email_engine_v2_key";
        settings["OUTBOX_WORKER"] = "off";
        await using var engine = await EngineServer.StartAsync(provider, extraSettings: settings);

        var template = await CurlAsync(engine, "/api/v2/templates", """
            {
                "name": "welcome_v2_fr",
                "subject": "Bienvenue sur [COMPANY]",
                "html": "<html><body>Bonjour [FNAME]...</body></html>",
                "language": "fr",
                "tenant": "client-1"
              }
            """);
        var campaign = await CurlAsync(engine, "/api/v2/campaigns", """
            {
                "name": "nurture_v2_fr",
                "template_id": 1,
                "type": "autoresponder",
                "trigger": "subscription",
                "tenant": "client-1"
              }
            """);
        Assert.EndsWith("\n201", template);
        Assert.EndsWith("\n201", campaign);

        await engine.SyncAllAsync();

        var state = await mailwizz.StateAsync();
        var list = Assert.Single(state.GetProperty("lists").EnumerateArray());
        Assert.Equal("ee:client-1:fr", list.GetProperty("name").GetString());
        Assert.Contains("COMPANY", list.GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        var pushedTemplate = Assert.Single(state.GetProperty("templates").EnumerateArray());
        Assert.Equal("client-1/welcome_v2_fr", pushedTemplate.GetProperty("name").GetString());
        Assert.Equal("<html><body>Bonjour [FNAME]...</body></html>", pushedTemplate.GetProperty("content").GetString());
        var pushedCampaign = Assert.Single(state.GetProperty("campaigns").EnumerateArray());
        Assert.Equal("client-1/nurture_v2_fr", pushedCampaign.GetProperty("name").GetString());
        Assert.Equal("autoresponder", pushedCampaign.GetProperty("type").GetString());
        Assert.Equal("AFTER-SUBSCRIBE", pushedCampaign.GetProperty("values").GetProperty("options[autoresponder_event]").GetString());
        Assert.Equal("Bienvenue sur [COMPANY]", pushedCampaign.GetProperty("values").GetProperty("subject").GetString());
        Assert.Equal(list.GetProperty("uid").GetString(), pushedCampaign.GetProperty("list_uid").GetString());
        Assert.Equal(pushedTemplate.GetProperty("uid").GetString(), pushedCampaign.GetProperty("template_uid").GetString());

        using var client = engine.Client("email_engine_v2_key");
        var ours = JsonDocument.Parse(await client.GetStringAsync("/api/v2/templates/1")).RootElement.GetProperty("sync");
        Assert.Equal("synced", ours.GetProperty("status").GetString());
        Assert.Equal(pushedTemplate.GetProperty("uid").GetString(), ours.GetProperty("remote_uid").GetString());
        var ourCampaign = JsonDocument.Parse(await client.GetStringAsync("/api/v2/campaigns/1")).RootElement.GetProperty("sync");
        Assert.Equal(pushedCampaign.GetProperty("uid").GetString(), ourCampaign.GetProperty("remote_uid").GetString());
    }

    [Fact]
    public async Task Without_sender_settings_the_push_waits_and_names_what_is_missing()
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string>
        {
            ["MAILWIZZ_URL"] = mailwizz.ApiUrl, ["MAILWIZZ_API_KEY"] = MailWizzStandInServer.ApiKey, ["OUTBOX_WORKER"] = "off",
        });
        using var client = engine.Client();
        (await client.PostAsync("/api/v2/templates", new StringContent("""{"name":"w","subject":"s","html":"<p>[FNAME]</p>","language":"fr","tenant":"client-1"}"""))).EnsureSuccessStatusCode();

        await engine.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);

        var sync = JsonDocument.Parse(await client.GetStringAsync("/api/v2/templates/1")).RootElement.GetProperty("sync");
        Assert.Equal("pending", sync.GetProperty("status").GetString());
        Assert.Contains("from_name, from_email, reply_to, company_name", sync.GetProperty("last_error").GetString());
        Assert.Empty((await mailwizz.StateAsync()).GetProperty("lists").EnumerateArray());

        // Setting them on the tenant re-pushes the list; the template follows.
        var patch = new HttpRequestMessage(HttpMethod.Patch, "/api/v1/tenants/client-1") { Content = new StringContent("""
            {"sender": {"from_name": "Client One", "from_email": "news@client1.example", "company_name": "Client One SA",
                        "company_address": "2 avenue Foch", "company_city": "Lyon", "company_country": "France"}}
            """, Encoding.UTF8) };
        (await client.SendAsync(patch)).EnsureSuccessStatusCode();
        (await client.PostAsync("/api/v2/templates/1/sync", null)).EnsureSuccessStatusCode();
        await engine.SyncAllAsync();

        Assert.Single((await mailwizz.StateAsync()).GetProperty("templates").EnumerateArray());
        Assert.Equal("synced", JsonDocument.Parse(await client.GetStringAsync("/api/v2/templates/1")).RootElement.GetProperty("sync").GetProperty("status").GetString());
    }

    private static async Task<string> CurlAsync(EngineServer engine, string path, string body)
    {
        var result = await ProcessRunner.RunAsync("curl", ["-s", "-w", "\n%{http_code}", "-X", "POST", new Uri(engine.BaseAddress, path).ToString(),
            "-H", "X-API-KEY: email_engine_v2_key", "-d", body]);
        Assert.Equal(0, result.ExitCode);
        return result.StdOut;
    }
}
