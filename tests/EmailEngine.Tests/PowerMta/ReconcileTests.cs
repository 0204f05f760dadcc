using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Warmup;
using EmailEngine.Warmup;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.PowerMta;

/// <summary>
/// A decided limit that failed to deploy does not stay decided-only: the reconciler compares the rendered config with
/// what is live on the host (test sshd + pmta stand-in) and deploys until they match.
/// </summary>
[Trait("Category", "Ssh")]
public sealed class ReconcileTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = _host.EngineSettings();
        settings["WARMUP_WORKER"] = "off";
        settings["OUTBOX_WORKER"] = "off";
        settings["PMTA_RECONCILE_SECONDS"] = "1";
        settings["PMTA_RECONCILE_MAX_BACKOFF_SECONDS"] = "2";
        _server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings,
            extraServices: services => services.AddSingleton<IWarmupOutcomes>(new InMemoryWarmupOutcomes()));
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task A_pause_whose_deployment_failed_goes_live_on_a_later_attempt_and_the_sync_state_shows_it()
    {
        var sync = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync");
        Assert.False(sync.GetProperty("in_sync").GetBoolean());
        Assert.Contains("never deployed", sync.GetProperty("note").GetString()); // the host is not taken over before a first deploy

        var ip = await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = ip.GetProperty("id").GetInt64();
        Assert.True((await _client.PostAsJsonAsync("/api/v1/pmta/deploy", new { })).IsSuccessStatusCode);
        Assert.Contains("    virtual-mta vmta-" + id + "\n", Pool(await File.ReadAllTextAsync(_host.RunningConfig)));

        // The operator pauses the IP; the deployment that takes it out of the pool fails at reload and rolls back.
        _host.FailNext("reload");
        var paused = await (await _client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup/override", new { action = "pause", reason = "list cleaning" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("rolled_back", paused.GetProperty("history")[0].GetProperty("deployment_status").GetString());

        // The reconciler notices the live pool still holds the paused IP and deploys again, by itself.
        var live = await WaitForAsync(async () =>
        {
            var state = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync");
            return state.GetProperty("in_sync").GetBoolean() ? state : (JsonElement?)null;
        });
        Assert.DoesNotContain("    virtual-mta vmta-" + id + "\n", Pool(await File.ReadAllTextAsync(_host.RunningConfig)));
        Assert.Equal(live.GetProperty("desired_sha256").GetString(), live.GetProperty("live_sha256").GetString());
        var deployments = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments")).GetProperty("items");
        Assert.Equal("reconciler", deployments[0].GetProperty("actor").GetString());
        Assert.Equal("succeeded", deployments[0].GetProperty("status").GetString());
    }

    [Fact]
    public void A_stopped_ip_still_in_the_live_pool_past_the_threshold_is_stale()
    {
        var now = new DateTimeOffset(2027, 1, 10, 12, 0, 0, TimeSpan.Zero);
        var live = "<virtual-mta-pool pool-all>\n    virtual-mta vmta-1\n    virtual-mta vmta-2\n    virtual-mta vmta-3\n</virtual-mta-pool>\n";
        SendingIp Ip(long id, IpStatus status, int minutesAgo) =>
            new() { Id = id, Address = $"203.0.113.{id}", Domain = "mail.example.com", Status = status, UpdatedAt = now.AddMinutes(-minutesAgo) };

        var stale = ConfigReconciler.StaleStops(
            [Ip(1, IpStatus.Paused, 11), Ip(2, IpStatus.Quarantined, 9), Ip(3, IpStatus.Warming, 60), Ip(4, IpStatus.Paused, 60)],
            live, now, TimeSpan.FromMinutes(10));

        Assert.Equal(["vmta-1"], stale.Select(s => s.Vmta)); // vmta-2 is within the threshold, vmta-4 is out of the pool
    }

    [Fact]
    public void Backoff_doubles_from_the_interval_up_to_the_cap()
    {
        var options = new ReconcileOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(10));

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => options.BackoffAfter(n).TotalMinutes));
    }

    private static string Pool(string config)
    {
        var start = config.IndexOf("<virtual-mta-pool pool-all>", StringComparison.Ordinal);
        return config[start..config.IndexOf("</virtual-mta-pool>", start, StringComparison.Ordinal)];
    }

    private static async Task<JsonElement> WaitForAsync(Func<Task<JsonElement?>> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
                return found;
            await Task.Delay(250);
        }
        throw new TimeoutException("the config did not go live within 30 s");
    }
}
