using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.PowerMta;

/// <summary>The reconciler goes through every host on its own: a host that became unreachable backs off alone while another one is brought in line.</summary>
[Trait("Category", "Ssh")]
public sealed class MultiHostReconcileTests : IAsyncLifetime
{
    private readonly PmtaHost _first = new(), _second = new(), _broken = new();
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = _first.EngineSettings();
        settings["WARMUP_WORKER"] = "off";
        settings["OUTBOX_WORKER"] = "off";
        settings["PMTA_RECONCILE_SECONDS"] = "1";
        settings["PMTA_RECONCILE_MAX_BACKOFF_SECONDS"] = "2";
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        _client = _engine.Client();
        (await _client.PostAsJsonAsync("/api/v1/pmta/hosts", _second.Registration("pmta-b"))).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/api/v1/pmta/hosts", _broken.Registration("pmta-c"))).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
        _broken.Dispose();
    }

    private async Task<long> RegisterIpAsync(string ip, string domain, string? host) =>
        (await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip, domain, host })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

    [Fact]
    public async Task A_stop_on_one_host_goes_live_while_another_host_is_unreachable()
    {
        await RegisterIpAsync("203.0.113.1", "mail1.domain1.com", null);
        var onSecond = await RegisterIpAsync("203.0.113.2", "mail2.domain2.com", "pmta-b");
        var onBroken = await RegisterIpAsync("203.0.113.3", "mail3.domain3.com", "pmta-c");
        var all = await (await _client.PostAsJsonAsync("/api/v1/pmta/deploy-all", new { })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(all.GetProperty("all_live").GetBoolean(), all.ToString());

        // pmta-c becomes unreachable; an IP is paused on each of pmta-b and pmta-c.
        (await _client.PatchAsJsonAsync("/api/v1/pmta/hosts/pmta-c", new { ssh_port = LoopbackPorts.Free() })).EnsureSuccessStatusCode();
        // A round lists the hosts when it starts: let any round that still has pmta-c's old port end (nothing differs yet,
        // so it deploys nothing) before the change that pmta-c must fail to deploy.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        (await _client.PatchAsJsonAsync($"/api/v1/ips/{onSecond}", new { status = "paused" })).EnsureSuccessStatusCode();
        (await _client.PatchAsJsonAsync($"/api/v1/ips/{onBroken}", new { status = "paused" })).EnsureSuccessStatusCode();

        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement second, broken;
        do
        {
            await Task.Delay(250);
            second = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync?host=pmta-b");
            broken = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync?host=pmta-c");
        }
        while (!(second.GetProperty("in_sync").GetBoolean() && broken.GetProperty("failed_attempts").GetInt32() > 0) && DateTime.UtcNow < deadline);

        Assert.True(second.GetProperty("in_sync").GetBoolean(), second.ToString());
        Assert.DoesNotContain("    virtual-mta vmta-" + onSecond + "\n", await File.ReadAllTextAsync(_second.RunningConfig));
        Assert.False(broken.GetProperty("in_sync").GetBoolean());
        Assert.Contains("cannot connect", broken.GetProperty("last_error").GetString());
        // pmta-c keeps the config it had: its pool still holds the paused IP, which the sync state names.
        Assert.Contains("    virtual-mta vmta-" + onBroken + "\n", await File.ReadAllTextAsync(_broken.RunningConfig));
        var deployments = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments?host=pmta-b")).GetProperty("items");
        Assert.Equal(("reconciler", "succeeded"), (deployments[0].GetProperty("actor").GetString(), deployments[0].GetProperty("status").GetString()));
        // The default host had nothing to change.
        Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments?host=default")).GetProperty("items").EnumerateArray());
    }
}
