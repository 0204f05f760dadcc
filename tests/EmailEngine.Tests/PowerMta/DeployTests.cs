using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.PowerMta;

/// <summary>Deployment over a real OpenSSH server to the pmta stand-in: success, failures, rollback, refusals.</summary>
[Trait("Category", "Ssh")]
public sealed class DeployTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: _host.EngineSettings());
        _client = _engine.Client();
        for (var i = 1; i <= 5; i++)
            (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com", status = "warming" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        _host.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> DeployAsync(HttpClient? client = null, bool dryRun = false)
    {
        var response = await (client ?? _client).PostAsJsonAsync("/api/v1/pmta/deploy", new { dry_run = dryRun });
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task A_deployment_asked_for_while_another_runs_waits_for_it_then_goes_through()
    {
        // The reconciler (or another request) holds the host while it ships; the operator's deployment waits its turn
        // instead of answering 409.
        var host = _engine.Services.GetRequiredService<EmailEngine.PowerMta.Hosts.PmtaHostDirectory>().Default;
        var locks = _engine.Services.GetRequiredService<EmailEngine.Locks.IDistributedLock>();
        var running = await locks.TryAcquireAsync(EmailEngine.PowerMta.Deploy.ConfigDeployer.LockNameOf(host), TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.NotNull(running);

        var asked = DeployAsync();
        await Task.Delay(1500);
        Assert.False(asked.IsCompleted, "the deployment did not wait for the one running");
        await running.DisposeAsync();

        var (status, body) = await asked;
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_reconciler_deploys_a_difference_once_it_has_outlived_a_check()
    {
        Assert.Equal(HttpStatusCode.OK, (await DeployAsync()).Status);
        (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.6", domain = "mail6.domain6.com", status = "warming" })).EnsureSuccessStatusCode();
        var host = _engine.Services.GetRequiredService<EmailEngine.PowerMta.Hosts.PmtaHostDirectory>().Default;

        async Task<EmailEngine.PowerMta.Deploy.ConfigSyncState> CheckAsync()
        {
            await using var scope = _engine.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<EmailEngine.PowerMta.Deploy.ConfigReconciler>().CheckAsync(host, deploy: true, CancellationToken.None);
        }

        // First seen: the change's own deployment may be starting, so the reconciler leaves it to that one.
        Assert.False((await CheckAsync()).InSync);
        Assert.DoesNotContain("vmta-6", await File.ReadAllTextAsync(_host.RunningConfig));
        // Still there at the next check: the reconciler ships it.
        Assert.True((await CheckAsync()).InSync);
        Assert.Contains("    virtual-mta vmta-6\n", await File.ReadAllTextAsync(_host.RunningConfig));
    }

    [Fact]
    public async Task Five_registered_ips_render_the_seed_config()
    {
        var config = await _client.GetStringAsync("/api/v1/pmta/config");

        for (var i = 1; i <= 5; i++)
        {
            // Registered as warming, so under the default plan from the start: day 1's limits are in the first config.
            Assert.Contains($"<virtual-mta vmta-{i}>\n    # warming\n    smtp-source-host 203.0.113.{i} mail{i}.domain{i}.com\n" +
                $"    domain-key ee1,domain{i}.com,{_host.Directory}/dkim/domain{i}.com.ee1.pem\n" +
                "    # warmup conservative-70, sending day 1: at most 5 in any 24 hours;", config);
            var block = config[config.IndexOf($"<virtual-mta vmta-{i}>", StringComparison.Ordinal)..];
            Assert.Contains("    max-smtp-msg-rate 5/d\n", block[..block.IndexOf("</virtual-mta>", StringComparison.Ordinal)]);
            Assert.Contains($"    virtual-mta vmta-{i}\n", config);
        }
        Assert.Contains("smtp-listener 0.0.0.0:2525\n", config);
        Assert.Contains("<source 198.51.100.10>\n    always-allow-relaying yes\n    process-x-virtual-mta yes", config);
        Assert.Contains("<source 0/0>\n    always-allow-relaying no\n    process-x-virtual-mta no", config);
        Assert.Contains("<acct-file /var/log/pmta/acct.csv>\n    records d,b,t,f,rb", config);
        Assert.Contains("http-mgmt-port 1983\nhttp-access 127.0.0.1 admin\nhttp-access 0/0 none\n", config);
        Assert.DoesNotContain("{", config);
    }

    [Fact]
    public async Task Deploy_backs_up_swaps_tests_reloads_and_records()
    {
        var (status, body) = await DeployAsync();

        Assert.True(status == HttpStatusCode.OK, body.ToString());
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var live = await File.ReadAllTextAsync(_host.ConfigPath);
        Assert.Contains("<virtual-mta vmta-5>", live);
        Assert.Equal(live, await File.ReadAllTextAsync(_host.RunningConfig)); // the stand-in reloaded exactly that file
        var backup = body.GetProperty("backup_path").GetString()!;
        Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(backup));
        Assert.Contains("-postmaster admin@sos-holidays.com", body.GetProperty("diff").GetString());
        Assert.Contains("pmta reload: exit 0", body.GetProperty("log").GetString());
        var history = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments");
        Assert.Equal("succeeded", history.GetProperty("items")[0].GetProperty("status").GetString());

        var (_, again) = await DeployAsync();
        Assert.Equal("unchanged", again.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Failing_test_config_leaves_the_live_config_as_it_was()
    {
        _host.FailNext("test");

        var (status, body) = await DeployAsync();

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("rolled_back", body.GetProperty("status").GetString());
        Assert.Contains("pmta test config failed", body.GetProperty("error").GetString());
        Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(_host.ConfigPath));
        Assert.False(File.Exists(_host.RunningConfig)); // never reloaded
    }

    [Fact]
    public async Task Failing_reload_rolls_back_to_the_previous_config()
    {
        Assert.Equal("succeeded", (await DeployAsync()).Body.GetProperty("status").GetString());
        var deployed = await File.ReadAllTextAsync(_host.ConfigPath);
        (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.6", domain = "mail6.domain6.com" })).EnsureSuccessStatusCode();
        _host.FailNext("reload");

        var (status, body) = await DeployAsync();

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("rolled_back", body.GetProperty("status").GetString());
        Assert.Equal(deployed, await File.ReadAllTextAsync(_host.ConfigPath));
        Assert.DoesNotContain("vmta-6", await File.ReadAllTextAsync(_host.ConfigPath));
    }

    [Fact]
    public async Task Dry_run_shows_the_diff_and_changes_nothing()
    {
        var (status, body) = await DeployAsync(dryRun: true);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("dry_run", body.GetProperty("status").GetString());
        Assert.Contains("+<virtual-mta vmta-1>", body.GetProperty("diff").GetString());
        Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(_host.ConfigPath));
    }

    [Fact]
    public async Task Unreachable_ssh_fails_clearly_and_changes_nothing()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: _host.EngineSettings(port: LoopbackPorts.Free()));
        using var client = engine.Client();

        var (status, body) = await DeployAsync(client);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.StartsWith("SSH: cannot connect", body.GetProperty("error").GetString());
        Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(_host.ConfigPath));
    }

    [Fact]
    public async Task Wrong_host_key_is_refused()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite,
            extraSettings: _host.EngineSettings(pinnedHostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
        using var client = engine.Client();

        var (_, body) = await DeployAsync(client);

        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Contains("host key mismatch", body.GetProperty("error").GetString());
        Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(_host.ConfigPath));
    }
}
