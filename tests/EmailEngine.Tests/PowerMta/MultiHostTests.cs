using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Accounting;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Sylvan.Data.Csv;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.PowerMta;

/// <summary>
/// Three PowerMTA hosts through the real test sshd: the default one from the settings, a registered one, and a
/// registered one whose SSH port is dead. Each gets only its own IPs and keys, reports on its own, and a host that
/// fails touches nobody else.
/// </summary>
[Trait("Category", "Ssh")]
public sealed class MultiHostTests : IAsyncLifetime
{
    private readonly PmtaHost _first = new(), _second = new(), _dead = new();
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = _first.EngineSettings();
        settings["ACCT_REMOTE_FILE"] = Path.Combine(_first.Directory, "acct.csv");
        settings["ACCT_PULL_INTERVAL_SECONDS"] = "0";
        settings["OUTBOX_WORKER"] = "off";
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        _client = _engine.Client();
        await RegisterHostAsync(_second.Registration("pmta-b", smtpHost: "relay-b.example.net"));
        await RegisterHostAsync(_dead.Registration("pmta-dead", port: LoopbackPorts.Free()));
        await RegisterIpAsync("203.0.113.1", "mail1.domain1.com", host: null);
        await RegisterIpAsync("203.0.113.2", "mail2.domain2.com", host: "pmta-b");
        await RegisterIpAsync("203.0.113.3", "mail3.domain3.com", host: "pmta-dead");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        _first.Dispose();
        _second.Dispose();
        _dead.Dispose();
    }

    private async Task RegisterHostAsync(object registration)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/pmta/hosts", registration);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private async Task RegisterIpAsync(string ip, string domain, string? host)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip, domain, host });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private static string Original => PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n";

    [Fact]
    public async Task Each_host_renders_only_its_own_ips_relays_and_files()
    {
        // Two PowerMTAs on one machine cannot share a management port: a registered host names its own.
        Assert.Equal(HttpStatusCode.OK, (await _client.PatchAsJsonAsync("/api/v1/pmta/hosts/pmta-b", new { mgmt_port = 8081 })).StatusCode);
        var first = await _client.GetStringAsync("/api/v1/pmta/config");
        var second = await _client.GetStringAsync("/api/v1/pmta/config?host=pmta-b");

        Assert.Contains("smtp-source-host 203.0.113.1 mail1.domain1.com", first);
        Assert.DoesNotContain("203.0.113.2", first);
        Assert.DoesNotContain("203.0.113.3", first);
        Assert.Contains("<source 198.51.100.10>", first);
        Assert.Contains("smtp-source-host 203.0.113.2 mail2.domain2.com", second);
        Assert.DoesNotContain("203.0.113.1", second);
        Assert.Contains("<source 198.51.100.20>", second);
        Assert.DoesNotContain("<source 198.51.100.10>", second);
        Assert.Contains($"<acct-file {_second.Directory}/acct.csv>", second);
        Assert.Contains($"domain-key ee1,domain2.com,{_second.Directory}/dkim/domain2.com.ee1.pem", second);
        Assert.Contains("host-name mail.domain2.com", second);
        Assert.Contains("\nhttp-mgmt-port 1983\n", first);
        Assert.Contains("\nhttp-mgmt-port 8081\n", second);

        using var unknown = await _client.GetAsync("/api/v1/pmta/config?host=pmta-x");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("pmta-x", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("host")[0].GetString());
        var validated = await (await _client.PostAsync("/api/v1/pmta/config/validate?host=pmta-b", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(validated.GetProperty("valid").GetBoolean(), validated.ToString());
    }

    [Fact]
    public async Task Deploying_every_host_reports_per_host_and_the_dead_one_touches_nobody()
    {
        using var response = await _client.PostAsJsonAsync("/api/v1/pmta/deploy-all", new { });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.False(body.GetProperty("all_live").GetBoolean());
        var byHost = body.GetProperty("hosts").EnumerateArray().ToDictionary(d => d.GetProperty("host").GetString()!);
        Assert.Equal(["default", "pmta-b", "pmta-dead"], byHost.Keys.Order());
        Assert.Equal("succeeded", byHost["default"].GetProperty("status").GetString());
        Assert.Equal("succeeded", byHost["pmta-b"].GetProperty("status").GetString());
        Assert.Equal("failed", byHost["pmta-dead"].GetProperty("status").GetString());
        Assert.StartsWith("SSH: cannot connect", byHost["pmta-dead"].GetProperty("error").GetString());

        var first = await File.ReadAllTextAsync(_first.RunningConfig);
        var second = await File.ReadAllTextAsync(_second.RunningConfig);
        Assert.Contains("<virtual-mta vmta-1>", first);
        Assert.DoesNotContain("<virtual-mta vmta-2>", first);
        Assert.Contains("<virtual-mta vmta-2>", second);
        Assert.DoesNotContain("<virtual-mta vmta-1>", second);
        Assert.Equal(Original, await File.ReadAllTextAsync(_dead.ConfigPath));
        Assert.False(File.Exists(_dead.RunningConfig));
        // A registered host gets the keys of the domains its IPs sign for, no other.
        Assert.Equal(["domain2.com.ee1.pem"], Directory.GetFiles(Path.Combine(_second.Directory, "dkim")).Select(Path.GetFileName));

        var history = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments?host=pmta-b")).GetProperty("items");
        Assert.Equal(("pmta-b", "succeeded"), (history.EnumerateArray().Single().GetProperty("host").GetString(), history[0].GetProperty("status").GetString()));
        Assert.Equal(3, (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments")).GetProperty("items").GetArrayLength());

        // Each host on its own from here: one deploys unchanged, the dead one fails alone, the sync state is per host.
        var again = await (await _client.PostAsJsonAsync("/api/v1/pmta/deploy?host=pmta-b", new { })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("pmta-b", "unchanged"), (again.GetProperty("host").GetString(), again.GetProperty("status").GetString()));
        using var dead = await _client.PostAsJsonAsync("/api/v1/pmta/deploy?host=pmta-dead", new { });
        Assert.Equal(HttpStatusCode.BadGateway, dead.StatusCode);
        var sync = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync?host=pmta-b");
        Assert.Equal(("pmta-b", true), (sync.GetProperty("host").GetString(), sync.GetProperty("in_sync").GetBoolean()));
        var deadSync = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/sync?host=pmta-dead");
        Assert.Contains("never deployed", deadSync.GetProperty("note").GetString());
    }

    [Fact]
    public async Task Accounting_is_pulled_from_each_host_and_stats_group_by_host()
    {
        static string Records(int count, string prefix, string vmta)
        {
            var text = new StringBuilder(Header);
            for (var i = 0; i < count; i++)
                text.Append(Line("d", "2026-11-25 10:15:00+0000", $"{prefix}{i}@gmail.com", vmta: vmta));
            return text.ToString();
        }
        await File.WriteAllTextAsync(Path.Combine(_first.Directory, "acct.csv"), Records(7, "a", "vmta-1"));
        await File.WriteAllTextAsync(Path.Combine(_second.Directory, "acct.csv"), Records(4, "b", "vmta-2"));

        // The dead host is skipped with a warning; the two others are pulled.
        Assert.True(await _engine.Services.GetRequiredService<AcctPullRun>().PullAsync(CancellationToken.None));

        var stats = await _client.GetFromJsonAsync<JsonElement>("/api/v1/stats?from=2026-11-25&to=2026-11-26&granularity=day&group_by=host");
        var delivered = stats.GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("host").GetString()!, i => i.GetProperty("delivered").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["default"] = 7, ["pmta-b"] = 4 }, delivered);
        Assert.Equal(["host"], stats.GetProperty("group_by").EnumerateArray().Select(g => g.GetString()));
    }

    [Fact]
    public async Task Delivery_servers_connect_to_their_ips_host()
    {
        var csv = await _client.GetStringAsync("/api/v1/mailwizz/delivery-servers/import.csv");

        using var reader = CsvDataReader.Create(new StringReader(csv));
        var hostnames = new Dictionary<string, string>();
        while (reader.Read())
            hostnames[reader.GetString(reader.GetOrdinal("name")).Split(' ')[^1]] = reader.GetString(reader.GetOrdinal("hostname"));
        var ssh = TestEnvironment.Require("EE_TEST_SSH_HOST");
        Assert.Equal(new Dictionary<string, string> { ["203.0.113.1"] = ssh, ["203.0.113.2"] = "relay-b.example.net", ["203.0.113.3"] = ssh }, hostnames);
        var servers = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/mailwizz/delivery-servers")).GetProperty("servers");
        Assert.Equal(["default", "pmta-b", "pmta-dead"], servers.EnumerateArray().Select(s => s.GetProperty("host").GetString()));
    }
}
