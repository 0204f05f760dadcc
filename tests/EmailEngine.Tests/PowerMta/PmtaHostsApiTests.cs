using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.PowerMta;

/// <summary>The host registry: the default host from the settings, registered hosts, their validation, and IPs on hosts.</summary>
[Trait("Category", "Ssh")]
public sealed class PmtaHostsApiTests : IAsyncLifetime
{
    private const string Fingerprint = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";
    private readonly PmtaHost _host = new();
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: _host.EngineSettings());
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _host.Dispose();
    }

    private object Host(string name, object? overrides = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name, ["ssh_host"] = "pmta2.example.net", ["key_file"] = TestEnvironment.Require("EE_TEST_SSH_KEY"),
            ["host_key"] = Fingerprint, ["relay_sources"] = new[] { "198.51.100.20", "198.51.100.0/28" },
        };
        foreach (var property in JsonSerializer.SerializeToElement(overrides ?? new { }).EnumerateObject())
            body[property.Name] = property.Value;
        return body;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Read(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        return (response.StatusCode, response.Content.Headers.ContentLength == 0 ? default : await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task The_default_host_comes_from_the_settings_and_is_read_only()
    {
        var list = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/hosts")).GetProperty("items");

        var only = Assert.Single(list.EnumerateArray());
        Assert.Equal(("default", "settings", TestEnvironment.Require("EE_TEST_SSH_HOST"), _host.ConfigPath, "/var/log/pmta/acct.csv", true),
            (only.GetProperty("name").GetString(), only.GetProperty("source").GetString(), only.GetProperty("ssh_host").GetString(),
                only.GetProperty("config_path").GetString(), only.GetProperty("acct_path").GetString(), only.GetProperty("configured").GetBoolean()));
        Assert.Equal(["198.51.100.10"], only.GetProperty("relay_sources").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(TestEnvironment.Require("EE_TEST_SSH_HOST"), only.GetProperty("smtp_host").GetString());
        var (patch, problem) = await Read(_client.PatchAsJsonAsync("/api/v1/pmta/hosts/default", new { ssh_port = 2222 }));
        Assert.Equal(HttpStatusCode.Conflict, patch);
        Assert.Contains("PMTA_SSH", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync("/api/v1/pmta/hosts/default")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("default"))).StatusCode);
    }

    [Fact]
    public async Task A_registered_host_is_created_read_changed_replaced_and_deleted()
    {
        var (created, body) = await Read(_client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-2")));
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(("registry", 22, "root", "pmta2.example.net", "/etc/pmta/config", Fingerprint, 1983),
            (body.GetProperty("source").GetString(), body.GetProperty("ssh_port").GetInt32(), body.GetProperty("ssh_user").GetString(),
                body.GetProperty("smtp_host").GetString(), body.GetProperty("config_path").GetString(), body.GetProperty("host_key").GetString(),
                body.GetProperty("mgmt_port").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-2"))).StatusCode);

        var (_, patched) = await Read(_client.PatchAsJsonAsync("/api/v1/pmta/hosts/pmta-2", new { ssh_port = 2222, smtp_host = "relay2.example.net", mgmt_port = 8081 }));
        Assert.Equal((2222, "relay2.example.net", "pmta2.example.net", 8081),
            (patched.GetProperty("ssh_port").GetInt32(), patched.GetProperty("smtp_host").GetString(), patched.GetProperty("ssh_host").GetString(),
                patched.GetProperty("mgmt_port").GetInt32()));
        // PUT replaces: what it leaves out takes its default again.
        var (_, replaced) = await Read(_client.PutAsJsonAsync("/api/v1/pmta/hosts/pmta-2", Host("pmta-2", new { acct_path = "/var/log/pmta/acct2.csv" })));
        Assert.Equal((22, "pmta2.example.net", "/var/log/pmta/acct2.csv", 1983),
            (replaced.GetProperty("ssh_port").GetInt32(), replaced.GetProperty("smtp_host").GetString(), replaced.GetProperty("acct_path").GetString(),
                replaced.GetProperty("mgmt_port").GetInt32()));
        Assert.Equal("pmta-2", (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/hosts/pmta-2")).GetProperty("name").GetString());
        Assert.Equal(["default", "pmta-2"], (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/hosts")).GetProperty("items")
            .EnumerateArray().Select(h => h.GetProperty("name").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/api/v1/pmta/hosts/pmta-2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/pmta/hosts/pmta-2")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PatchAsJsonAsync("/api/v1/pmta/hosts/pmta-2", new { ssh_port = 22 })).StatusCode);
    }

    [Fact]
    public async Task Bad_fields_are_field_errors_never_server_errors()
    {
        var (status, problem) = await Read(_client.PostAsJsonAsync("/api/v1/pmta/hosts", new
        {
            name = "Bad Name", ssh_host = "not a host", ssh_port = 70000, ssh_user = "Root;rm", key_file = "relative/key",
            host_key = "MD5:aa:bb", config_path = "/etc/pmta/config; reboot", acct_path = "/var/log/pmta/acct.log",
            relay_sources = new[] { "198.51.100.300", "10.0.0.0/8", "10.1" }, smtp_host = "bad host!", pmta_command = "pmta && reboot", dkim_dir = "dkim", mgmt_port = 0,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var fields = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(new HashSet<string> { "name", "ssh_host", "ssh_port", "ssh_user", "key_file", "host_key", "config_path", "acct_path",
            "relay_sources", "smtp_host", "pmta_command", "dkim_dir", "mgmt_port" }, fields);
        Assert.Equal("not an IP address or CIDR range: '198.51.100.300', '10.1'", problem.GetProperty("errors").GetProperty("relay_sources")[0].GetString());

        var (missing, required) = await Read(_client.PostAsJsonAsync("/api/v1/pmta/hosts", new { name = "pmta-3" }));
        Assert.Equal(HttpStatusCode.BadRequest, missing);
        Assert.Equal(new HashSet<string> { "ssh_host", "key_file", "host_key" }, required.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet());

        // The host key is required unless unknown hosts are trusted explicitly; a key file that is not there is named.
        var (unpinned, pin) = await Read(_client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-3", new { host_key = (string?)null })));
        Assert.Equal(HttpStatusCode.BadRequest, unpinned);
        Assert.Contains("trust_unknown_host", pin.GetProperty("errors").GetProperty("host_key")[0].GetString());
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/v1/pmta/hosts",
            Host("pmta-3", new { host_key = (string?)null, trust_unknown_host = true }))).StatusCode);
        var (absent, file) = await Read(_client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-4", new { key_file = "/nonexistent/id_ed25519" })));
        Assert.Equal(HttpStatusCode.BadRequest, absent);
        Assert.Contains("does not exist", file.GetProperty("errors").GetProperty("key_file")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PatchAsJsonAsync("/api/v1/pmta/hosts/pmta-3", new { name = "pmta-9" })).StatusCode);
    }

    [Fact]
    public async Task Ips_name_their_host_and_a_host_with_ips_is_not_deleted()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-2"))).StatusCode);
        var (_, onDefault) = await Read(_client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" }));
        var (_, onSecond) = await Read(_client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain2.com", host = "pmta-2" }));
        Assert.Equal(("default", "pmta-2"), (onDefault.GetProperty("host").GetString(), onSecond.GetProperty("host").GetString()));

        var (unknown, problem) = await Read(_client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.3", domain = "mail3.domain3.com", host = "pmta-9" }));
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        Assert.Contains("pmta-9", problem.GetProperty("errors").GetProperty("host")[0].GetString());
        var id = onSecond.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { host = "pmta-9" })).StatusCode);

        var (refused, conflict) = await Read(_client.DeleteAsync("/api/v1/pmta/hosts/pmta-2"));
        Assert.Equal(HttpStatusCode.Conflict, refused);
        Assert.Contains("1 IP(s)", conflict.GetProperty("detail").GetString());
        var hosts = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/hosts")).GetProperty("items");
        Assert.Equal([1, 1], hosts.EnumerateArray().Select(h => h.GetProperty("ips").GetInt32()));
        var listed = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/ips?host=pmta-2")).GetProperty("items");
        Assert.Equal(["203.0.113.2"], listed.EnumerateArray().Select(i => i.GetProperty("ip").GetString()));
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync("/api/v1/ips?host=pmta-9")).StatusCode);

        var (_, moved) = await Read(_client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { host = "default" }));
        Assert.Equal("default", moved.GetProperty("host").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/api/v1/pmta/hosts/pmta-2")).StatusCode);
    }

    [Fact]
    public async Task Tenant_keys_are_refused()
    {
        using var tenant = _server.Client(await _server.CreateTenantKeyAsync("client-1"));

        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/pmta/hosts")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync("/api/v1/pmta/hosts", Host("pmta-2"))).StatusCode);
    }
}
