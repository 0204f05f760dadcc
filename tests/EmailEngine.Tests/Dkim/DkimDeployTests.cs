using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailEngine.Dkim;
using EmailEngine.PowerMta;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Renci.SshNet;

namespace EmailEngine.Tests.Dkim;

/// <summary>Deployment ships the active and pending private keys (mode 0600, checked over SFTP) that the config references.</summary>
[Trait("Category", "Ssh")]
public sealed class DkimDeployTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: _host.EngineSettings());
        _client = _engine.Client();
        foreach (var i in new[] { 1, 2 })
            (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        _host.Dispose();
    }

    private async Task<JsonElement> DeployAsync()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/pmta/deploy", new { });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    private SftpClient Sftp()
    {
        var user = TestEnvironment.Require("EE_TEST_SSH_USER");
        var sftp = new SftpClient(new ConnectionInfo(TestEnvironment.Require("EE_TEST_SSH_HOST"), int.Parse(TestEnvironment.Require("EE_TEST_SSH_PORT")), user,
            new PrivateKeyAuthenticationMethod(user, new PrivateKeyFile(TestEnvironment.Require("EE_TEST_SSH_KEY")))));
        sftp.Connect();
        return sftp;
    }

    /// <summary>Private keys as the engine holds them, by file name on the host.</summary>
    private async Task<Dictionary<string, byte[]>> ExpectedKeyFilesAsync()
    {
        using var scope = _engine.Services.CreateScope();
        var keys = await scope.ServiceProvider.GetRequiredService<DomainRegistry>().PrivateKeysAsync(null, CancellationToken.None);
        return keys.ToDictionary(k => Path.GetFileName(RenderConfig.KeyFilePath("/", k.Domain, k.Selector)), k => k.Pem);
    }

    private static List<(string Selector, string Domain, string Path)> DomainKeyLines(string config) =>
        Regex.Matches(config, @"^\s*domain-key (\S+),(\S+),(\S+)$", RegexOptions.Multiline)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value)).ToList();

    [Fact]
    public async Task Active_and_pending_keys_land_on_the_host_with_mode_0600_and_the_config_uses_the_active_ones()
    {
        var rotated = await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { selector = "s202611" });
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);

        var deployment = await DeployAsync();

        Assert.Equal("succeeded", deployment.GetProperty("status").GetString());
        var expected = await ExpectedKeyFilesAsync();
        Assert.Equal(["domain1.com.ee1.pem", "domain1.com.s202611.pem", "domain2.com.ee1.pem"], expected.Keys.Order());
        using (var sftp = Sftp())
        {
            var dkimDir = Path.Combine(_host.Directory, "dkim");
            var onHost = sftp.ListDirectory(dkimDir).Where(f => f.IsRegularFile).ToList();
            Assert.Equal(expected.Keys.Order(), onHost.Select(f => f.Name).Order());
            foreach (var file in onHost)
            {
                var mode = sftp.GetAttributes(file.FullName);
                Assert.True(mode is { OwnerCanRead: true, OwnerCanWrite: true, OwnerCanExecute: false, GroupCanRead: false, GroupCanWrite: false,
                    GroupCanExecute: false, OthersCanRead: false, OthersCanWrite: false, OthersCanExecute: false }, $"{file.Name} is not 0600");
                Assert.Equal(expected[file.Name], sftp.ReadAllBytes(file.FullName));
            }
            var config = sftp.GetAttributes(_host.ConfigPath); // 0640 (SSH.NET takes modes as octal digits: 416 was once sent for 0640)
            Assert.True(config is { OwnerCanRead: true, OwnerCanWrite: true, OwnerCanExecute: false, GroupCanRead: true, GroupCanWrite: false,
                GroupCanExecute: false, OthersCanRead: false, OthersCanWrite: false, OthersCanExecute: false }, "config is not 0640");
        }

        var live = await File.ReadAllTextAsync(_host.ConfigPath);
        var lines = DomainKeyLines(live);
        Assert.Equal([("ee1", "domain1.com"), ("ee1", "domain2.com")], lines.Select(l => (l.Selector, l.Domain)));
        Assert.All(lines, l => Assert.Equal(Path.Combine(_host.Directory, "dkim", $"{l.Domain}.{l.Selector}.pem"), l.Path));
        Assert.All(lines, l => Assert.True(expected.ContainsKey(Path.GetFileName(l.Path))));

        // Keys never reach the deployment record (diff, log, error) or its listing.
        var history = await _client.GetStringAsync("/api/v1/pmta/deployments");
        Assert.DoesNotContain("PRIVATE KEY", history);
        foreach (var pem in expected.Values)
        {
            var body = Encoding.ASCII.GetString(pem).Split('\n')[1]; // first base64 line of the key
            Assert.DoesNotContain(body, history);
            Assert.DoesNotContain(body, deployment.ToString());
        }
        Assert.Equal("unchanged", (await DeployAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task After_activation_the_next_deploy_signs_with_the_new_selector_and_drops_nothing_it_needs()
    {
        Assert.Equal("succeeded", (await DeployAsync()).GetProperty("status").GetString());
        (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { selector = "s202612" })).EnsureSuccessStatusCode();
        (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/activate", new { force = true })).EnsureSuccessStatusCode();

        var deployment = await DeployAsync();

        Assert.Equal("succeeded", deployment.GetProperty("status").GetString());
        var diff = deployment.GetProperty("diff").GetString()!;
        Assert.Contains("+    domain-key s202612,domain1.com,", diff);
        Assert.Contains("-    domain-key ee1,domain1.com,", diff);
        var live = DomainKeyLines(await File.ReadAllTextAsync(_host.ConfigPath));
        Assert.Equal([("s202612", "domain1.com"), ("ee1", "domain2.com")], live.Select(l => (l.Selector, l.Domain)));
        Assert.All(live, l => Assert.True(File.Exists(l.Path), l.Path));
        Assert.DoesNotContain("domain1.com.ee1.pem", (await ExpectedKeyFilesAsync()).Keys); // retired: no longer shipped
    }
}
