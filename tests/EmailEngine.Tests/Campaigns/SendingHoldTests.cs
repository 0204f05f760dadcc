using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizz;
using EmailEngine.Tests.Warmup;
using EmailEngine.Warmup;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Campaigns;

/// <summary>
/// When the only IP stops, PowerMTA's pool is empty and would refuse MailWizz's mail: the engine pauses the campaigns in
/// MailWizz before that config goes live, and gives them back their own state once an IP is live again. The same for one
/// tenant whose own IPs all stop. Real
/// PostgreSQL, the MailWizz stand-in over HTTP, the test sshd with the pmta stand-in, the outbox worker running.
/// </summary>
[Trait("Category", "Ssh")]
public sealed class SendingHoldTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private MailWizzStandInServer _mailwizz = null!;
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = _mailwizz.EngineSettings();
        foreach (var (key, value) in _host.EngineSettings())
            settings[key] = value;
        settings["WARMUP_WORKER"] = "off";
        settings["OUTBOX_POLL_MS"] = "100";
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings,
            extraServices: services => services.AddSingleton<IWarmupOutcomes>(new InMemoryWarmupOutcomes()));
        _client = _engine.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        await _mailwizz.DisposeAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Campaigns_are_paused_in_mailwizz_before_an_empty_pool_goes_live_and_resume_after_an_ip_is_live_again()
    {
        var ip = await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = ip.GetProperty("id").GetInt64();
        // A contact brings the tenant's list, welcome template and welcome autoresponder into MailWizz; an operator's
        // own paused campaign must stay paused through the hold.
        Assert.True((await _client.PostAsJsonAsync("/api/v2/contacts", new { email = "ann@example.com", tenant = "client-1", language = "fr" })).IsSuccessStatusCode);
        await _engine.SyncAllAsync();
        var template = (await _client.GetFromJsonAsync<JsonElement>("/api/v2/templates?tenant=client-1")).GetProperty("items")[0].GetProperty("id").GetInt64();
        var own = await (await _client.PostAsJsonAsync("/api/v2/campaigns", new
            { tenant = "client-1", name = "spring", template_id = template, type = "regular", send_at = "2030-03-01T09:00:00Z" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.True((await _client.PostAsync($"/api/v2/campaigns/{own.GetProperty("id").GetInt64()}/pause", null)).IsSuccessStatusCode);
        await _engine.SyncAllAsync();
        Assert.True((await _client.PostAsJsonAsync("/api/v1/pmta/deploy", new { })).IsSuccessStatusCode);
        Assert.Equal(["paused:client-1/spring", "sending:client-1/welcome_fr"], await StatusesAsync());

        var paused = await (await _client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup/override", new { action = "pause", reason = "list cleaning" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", paused.GetProperty("history")[0].GetProperty("deployment_status").GetString());

        Assert.Equal("", Pool(await File.ReadAllTextAsync(_host.RunningConfig)));
        Assert.Equal(["paused:client-1/spring", "paused:client-1/welcome_fr"], await StatusesAsync());
        // The campaigns' pause (an update with status=paused) reached MailWizz before PowerMTA loaded the empty pool.
        await AssertPausedBeforeTheConfigWentLiveAsync();
        Assert.True((await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync")).GetProperty("sending_held").GetBoolean());

        // While the pool is empty a campaign sync (an edit) keeps MailWizz paused.
        var welcome = (await _client.GetFromJsonAsync<JsonElement>("/api/v2/campaigns?tenant=client-1")).GetProperty("items").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "welcome_fr").GetProperty("id").GetInt64();
        Assert.True((await _client.PatchAsJsonAsync($"/api/v2/campaigns/{welcome}", new { subject = "Bienvenue !" })).IsSuccessStatusCode);
        await _engine.SyncAllAsync();
        Assert.Equal(["paused:client-1/spring", "paused:client-1/welcome_fr"], await StatusesAsync());

        var resumed = await (await _client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup/override", new { action = "resume", reason = "clean again" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", resumed.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        Assert.Contains($"virtual-mta vmta-{id}", Pool(await File.ReadAllTextAsync(_host.RunningConfig)));
        await OutageTests.WaitAsync(async () => (await StatusesAsync()).SequenceEqual(["paused:client-1/spring", "sending:client-1/welcome_fr"]),
            TimeSpan.FromSeconds(20), async () => string.Join(", ", await StatusesAsync()));
        Assert.False((await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync")).GetProperty("sending_held").GetBoolean());
    }

    [Fact]
    public async Task A_tenant_whose_own_ips_all_stop_is_held_alone_and_resumes_when_one_sends_again()
    {
        foreach (var tenant in new[] { "client-1", "client-2" })
            Assert.True((await _client.PostAsJsonAsync("/api/v2/contacts", new { email = $"ann@{tenant}.example.com", tenant, language = "fr" })).IsSuccessStatusCode);
        await _engine.SyncAllAsync();
        var ids = new List<long>();
        foreach (var (tenant, i) in new[] { ("client-1", 1), ("client-2", 2) })
            ids.Add((await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com", status = "warming", tenant }))
                .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64());
        Assert.True((await _client.PostAsJsonAsync("/api/v1/pmta/deploy", new { })).IsSuccessStatusCode);
        await _engine.SyncAllAsync();
        Assert.Equal(["sending:client-1/welcome_fr", "sending:client-2/welcome_fr"], await StatusesAsync());

        // client-1's only IP stops: its pool is empty, client-2's is not. Only client-1's campaigns are held.
        var paused = await (await _client.PostAsJsonAsync($"/api/v1/ips/{ids[0]}/warmup/override", new { action = "pause", reason = "complaints" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", paused.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        // Paused in MailWizz before the config without client-1's IP went live: its mail had nowhere to go meanwhile.
        Assert.Equal(["paused:client-1/welcome_fr", "sending:client-2/welcome_fr"], await StatusesAsync());
        await AssertPausedBeforeTheConfigWentLiveAsync();
        Assert.False((await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync")).GetProperty("sending_held").GetBoolean());

        var resumed = await (await _client.PostAsJsonAsync($"/api/v1/ips/{ids[0]}/warmup/override", new { action = "resume", reason = "clean again" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", resumed.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        await OutageTests.WaitAsync(async () => (await StatusesAsync()).SequenceEqual(["sending:client-1/welcome_fr", "sending:client-2/welcome_fr"]),
            TimeSpan.FromSeconds(20), async () => string.Join(", ", await StatusesAsync()));
    }

    private async Task AssertPausedBeforeTheConfigWentLiveAsync()
    {
        var updatedAt = (await _mailwizz.RequestsAsync()).EnumerateArray()
            .Where(r => r.GetProperty("Method").GetString() == "PUT" && r.GetProperty("Path").GetString()!.Contains("/campaigns/", StringComparison.Ordinal))
            .Select(r => r.GetProperty("At").GetDateTime()).ToList();
        Assert.NotEmpty(updatedAt);
        Assert.True(updatedAt.Max() < File.GetLastWriteTimeUtc(_host.RunningConfig), "a campaign was paused only after the config went live");
    }

    private async Task<List<string>> StatusesAsync() =>
        (await _mailwizz.StateAsync()).GetProperty("campaigns").EnumerateArray()
            .Select(c => $"{c.GetProperty("status").GetString()}:{c.GetProperty("name").GetString()}").Order(StringComparer.Ordinal).ToList();

    private static string Pool(string config)
    {
        var start = config.IndexOf("<virtual-mta-pool pool-all>\n", StringComparison.Ordinal) + "<virtual-mta-pool pool-all>\n".Length;
        return config[start..config.IndexOf("</virtual-mta-pool>", start, StringComparison.Ordinal)];
    }
}
