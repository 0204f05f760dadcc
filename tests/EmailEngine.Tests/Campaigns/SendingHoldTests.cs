using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizz;
using EmailEngine.Tests.Warmup;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Campaigns;

/// <summary>
/// When the only IP stops, PowerMTA's pool is empty and would refuse MailWizz's mail: the engine pauses the campaigns in
/// MailWizz before that config goes live, and gives them back their own state once an IP is live again. The same for one
/// tenant whose own IPs all stop. Real
/// PostgreSQL, the MailWizz stand-in over HTTP, the test sshd with the pmta stand-in, the outbox worker running.
/// </summary>
[Trait("Category", "Ssh")]
[LongRunning(25)]
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

    private async Task<Dictionary<string, long>> WaitingAsync() =>
        (await _client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/capacity")).GetProperty("pools").EnumerateArray()
            .ToDictionary(p => p.GetProperty("pool").GetString()!, p => p.GetProperty("waiting").GetInt64());

    [Fact]
    public async Task A_tenant_whose_own_ips_all_stop_is_held_alone_and_resumes_when_one_sends_again()
    {
        var ids = await TwoTenantsSendingOnTheirOwnIpsAsync();

        // client-1's only IP stops: its pool is empty, client-2's is not. Only client-1's campaigns are held.
        var paused = await (await _client.PostAsJsonAsync($"/api/v1/ips/{ids[0]}/warmup/override", new { action = "pause", reason = "complaints" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", paused.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        // Paused in MailWizz before the config without client-1's IP went live: its mail had nowhere to go meanwhile.
        Assert.Equal(["paused:client-1/welcome_fr", "sending:client-2/welcome_fr"], await StatusesAsync());
        await AssertPausedBeforeTheConfigWentLiveAsync();
        Assert.False((await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync")).GetProperty("sending_held").GetBoolean());
        // New sign-ups: client-1's wait in the engine (its welcome could not leave), client-2's enter MailWizz as before.
        foreach (var tenant in new[] { "client-1", "client-2" })
            Assert.True((await _client.PostAsJsonAsync("/api/v2/contacts", new { email = $"bob@{tenant}.example.com", tenant, language = "fr" })).IsSuccessStatusCode);
        await OutageTests.WaitAsync(async () => (await SubscribersAsync()).Contains("bob@client-2.example.com"), TimeSpan.FromSeconds(20),
            async () => $"subscribers in MailWizz: {string.Join(", ", await SubscribersAsync())}");
        // client-1's push is held once the outbox has tried it, which may come after client-2's went through.
        await OutageTests.WaitAsync(async () => (await WaitingAsync()).GetValueOrDefault("pool-client-1") == 1, TimeSpan.FromSeconds(20),
            async () => $"waiting per pool: {string.Join(", ", await WaitingAsync())}");
        Assert.DoesNotContain("bob@client-1.example.com", await SubscribersAsync());
        Assert.Equal(0, (await WaitingAsync())["pool-client-2"]);

        var resumed = await (await _client.PostAsJsonAsync($"/api/v1/ips/{ids[0]}/warmup/override", new { action = "resume", reason = "clean again" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", resumed.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        await OutageTests.WaitAsync(async () => (await StatusesAsync()).SequenceEqual(["sending:client-1/welcome_fr", "sending:client-2/welcome_fr"]),
            TimeSpan.FromSeconds(20), async () => string.Join(", ", await StatusesAsync()));
    }

    [Fact]
    public async Task A_deployment_waits_for_a_tenants_pause_another_deployment_queued_but_not_for_one_mailwizz_failed()
    {
        var ids = await TwoTenantsSendingOnTheirOwnIpsAsync();
        // MailWizz answers slowly: a pause takes seconds to get there.
        await _mailwizz.SetFaultsAsync(new { latency_ms = 1500 });
        await SetStatusAsync(ids[0], IpStatus.Paused);
        // One host's deployment queued client-1's pause (its alignment, after it went live)...
        await WithHoldAsync(hold => hold.AlignAsync(CancellationToken.None));
        // ...and another host's deployment, about to go live, finds nothing left to queue: it still waits for that pause.
        Assert.Equal(new PausesBeforeLive(0, 0), await WithHoldAsync(hold => hold.BeforeGoingLiveAsync(poolEmpty: false, CancellationToken.None)));
        Assert.Equal(["paused:client-1/welcome_fr", "sending:client-2/welcome_fr"], await StatusesAsync());

        // MailWizz is away: client-2's pause fails at its first attempt, and the deployment does not wait for it.
        await _mailwizz.SetFaultsAsync(new { latency_ms = 0, down_for_seconds = 600 });
        await SetStatusAsync(ids[1], IpStatus.Paused);
        var started = TimeProvider.System.GetTimestamp();
        // Queued, and reported as not paused yet: the deployment says so in its log.
        Assert.Equal(new PausesBeforeLive(1, 1), await WithHoldAsync(hold => hold.BeforeGoingLiveAsync(poolEmpty: false, CancellationToken.None)));
        var waited = TimeProvider.System.GetElapsedTime(started);
        Assert.True(waited < SendingHold.PauseWait / 2, $"waited {waited} for a pause MailWizz had failed");
        await _mailwizz.SetFaultsAsync(new { down_for_seconds = 0 });
        Assert.Equal(["paused:client-1/welcome_fr", "sending:client-2/welcome_fr"], await StatusesAsync());
    }

    /// <summary>client-1 and client-2, each with a contact (so a welcome autoresponder) and an IP of its own, deployed and synced.</summary>
    private async Task<List<long>> TwoTenantsSendingOnTheirOwnIpsAsync()
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
        return ids;
    }

    /// <summary>An IP stopped in the database alone: no deployment, as when another host's deployment stopped it.</summary>
    private async Task SetStatusAsync(long ipId, IpStatus status)
    {
        using var scope = _engine.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<SendingIp>().Where(ip => ip.Id == ipId)
            .ExecuteUpdateAsync(u => u.SetProperty(ip => ip.Status, status));
    }

    private async Task<T> WithHoldAsync<T>(Func<SendingHold, Task<T>> act)
    {
        using var scope = _engine.Services.CreateScope();
        return await act(scope.ServiceProvider.GetRequiredService<SendingHold>());
    }

    private Task WithHoldAsync(Func<SendingHold, Task> act) => WithHoldAsync(async hold => { await act(hold); return true; });

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

    private async Task<List<string>> SubscribersAsync() =>
        (await _mailwizz.StateAsync()).GetProperty("lists").EnumerateArray()
            .SelectMany(l => l.GetProperty("subscribers").EnumerateArray().Select(s => s.GetProperty("email").GetString()!)).ToList();

    private static string Pool(string config)
    {
        var start = config.IndexOf("<virtual-mta-pool pool-all>\n", StringComparison.Ordinal) + "<virtual-mta-pool pool-all>\n".Length;
        return config[start..config.IndexOf("</virtual-mta-pool>", start, StringComparison.Ordinal)];
    }
}
