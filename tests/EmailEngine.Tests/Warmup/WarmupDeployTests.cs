using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Warmup;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Warmup;

/// <summary>Warmup decisions reach PowerMTA through the real deploy path (test sshd + pmta stand-in).</summary>
[Trait("Category", "Ssh")]
public sealed class WarmupDeployTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private EngineServer _server = null!;
    private HttpClient _client = null!;
    private long _id;

    public async Task InitializeAsync()
    {
        var settings = _host.EngineSettings();
        settings["WARMUP_WORKER"] = "off";
        settings["OUTBOX_WORKER"] = "off";
        _server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings,
            extraServices: services => services.AddSingleton<IWarmupOutcomes>(new InMemoryWarmupOutcomes()));
        _client = _server.Client();
        var ip = await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "standby" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        _id = ip.GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Starting_a_warmup_deploys_the_day_1_limits_inside_the_vmta()
    {
        var started = await (await _client.PostAsJsonAsync($"/api/v1/ips/{_id}/warmup", new { })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("succeeded", started.GetProperty("history")[0].GetProperty("deployment_status").GetString());
        var live = await File.ReadAllTextAsync(_host.ConfigPath);
        Assert.Contains("    domain-key ee1,domain1.com,", live);
        Assert.Contains("    max-smtp-msg-rate 5/d\n    <domain gmail.com>\n        max-msg-rate 1/d\n        backoff-max-msg-rate 1/d\n    </domain>\n", live);
        Assert.Contains("    <domain *>\n        max-msg-rate 1/d\n        backoff-max-msg-rate 1/d\n    </domain>\n</virtual-mta>\n", live);
        Assert.Equal(live, await File.ReadAllTextAsync(_host.RunningConfig)); // reloaded
    }

    [Fact]
    public async Task A_config_that_fails_pmta_test_config_never_goes_live_and_the_decision_says_so()
    {
        await _client.PostAsJsonAsync($"/api/v1/ips/{_id}/warmup", new { });
        var before = await File.ReadAllTextAsync(_host.ConfigPath);
        _host.FailNext("test");

        var response = await _client.PostAsJsonAsync($"/api/v1/ips/{_id}/warmup/override", new { action = "skip_to_day", day = 40, reason = "migrated IP" });

        var decision = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("history")[0];
        Assert.Equal("override", decision.GetProperty("kind").GetString());
        Assert.Equal("rolled_back", decision.GetProperty("deployment_status").GetString());
        Assert.Contains("pmta test config failed", decision.GetProperty("deployment_error").GetString());
        Assert.Equal(before, await File.ReadAllTextAsync(_host.ConfigPath));
        var deployments = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments");
        Assert.Equal("rolled_back", deployments.GetProperty("items")[0].GetProperty("status").GetString());
        Assert.Equal(decision.GetProperty("deployment_id").GetInt64(), deployments.GetProperty("items")[0].GetProperty("id").GetInt64());
    }
}
