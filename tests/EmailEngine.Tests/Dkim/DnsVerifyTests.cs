using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Dkim;

/// <summary>POST /dns/verify and key rotation against a real dnsmasq serving the records the engine generated.</summary>
public sealed class DnsVerifyTests : IAsyncLifetime
{
    private readonly int _dnsPort = LoopbackPorts.Free();
    private EngineServer _engine = null!;
    private HttpClient _client = null!;
    private DnsmasqServer? _dns;

    public async Task InitializeAsync()
    {
        _engine = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string> { ["DNS_RESOLVER"] = $"127.0.0.1:{_dnsPort}" });
        _client = _engine.Client();
        (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _dns?.Dispose();
        _client.Dispose();
        await _engine.DisposeAsync();
    }

    /// <summary>Serves the engine's own records for domain1.com, after <paramref name="edit"/> (drop or alter some).</summary>
    private async Task PublishAsync(Func<List<JsonElement>, IEnumerable<string>>? edit = null)
    {
        _dns?.Dispose();
        var records = await ZoneData.RecordsAsync(_client, "domain1.com");
        _dns = await DnsmasqServer.StartAsync(["domain1.com", "in-addr.arpa"], edit?.Invoke(records) ?? ZoneData.DnsmasqOptions(records), _dnsPort);
    }

    private async Task<Dictionary<string, JsonElement>> VerifyAsync()
    {
        var response = await _client.PostAsync("/api/v1/domains/domain1.com/dns/verify", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("records").EnumerateArray()
            .ToDictionary(r => r.GetProperty("kind").GetString()!);
    }

    private static string Status(JsonElement check) => check.GetProperty("status").GetString()!;
    private static List<string> Found(JsonElement check) => check.GetProperty("found").EnumerateArray().Select(f => f.GetString()!).ToList();

    [Fact]
    public async Task The_scheduled_check_reports_a_record_that_disappeared_in_the_health_report()
    {
        await PublishAsync(records => ZoneData.DnsmasqOptions(records.Where(r => r.GetProperty("kind").GetString() != "dmarc").ToList()));
        using (var scope = _engine.Services.CreateScope())
            await scope.ServiceProvider.GetRequiredService<EmailEngine.Dkim.DnsHealthSweep>().RunAsync(CancellationToken.None);

        var dns = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/health")).GetProperty("checks").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == "dns");

        Assert.Equal("degraded", dns.GetProperty("status").GetString());
        Assert.Contains("TXT _dmarc.domain1.com missing", dns.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Published_records_all_verify_present()
    {
        await PublishAsync();

        var response = await _client.PostAsync("/api/v1/domains/domain1.com/dns/verify", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(body.GetProperty("ok").GetBoolean(), body.ToString());
        Assert.All(body.GetProperty("records").EnumerateArray(), r => Assert.Equal("present", Status(r)));
        Assert.Equal(5, body.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task A_missing_dkim_record_is_reported_missing()
    {
        await PublishAsync(records => ZoneData.DnsmasqOptions(records.Where(r => ZoneData.Kind(r) != "dkim")));

        var checks = await VerifyAsync();

        Assert.Equal("missing", Status(checks["dkim"]));
        Assert.Empty(Found(checks["dkim"]));
        Assert.Equal("present", Status(checks["spf"]));
    }

    [Fact]
    public async Task A_spf_record_for_other_ips_is_a_mismatch_showing_what_was_found()
    {
        await PublishAsync(records => ZoneData.DnsmasqOptions(records.Where(r => ZoneData.Kind(r) != "spf"))
            .Append("--txt-record=domain1.com,v=spf1 ip4:198.51.100.99 ~all"));

        var checks = await VerifyAsync();

        Assert.Equal("mismatch", Status(checks["spf"]));
        Assert.Equal(["v=spf1 ip4:198.51.100.99 ~all"], Found(checks["spf"]));
        Assert.Contains("ip4:203.0.113.1", checks["spf"].GetProperty("detail").GetString());
        Assert.Equal("present", Status(checks["dkim"]));
    }

    [Fact]
    public async Task A_ptr_naming_another_host_is_a_mismatch()
    {
        await PublishAsync(records => ZoneData.DnsmasqOptions(records.Where(r => ZoneData.Kind(r) != "ptr"))
            .Append("--ptr-record=1.113.0.203.in-addr.arpa,vps-1234.hosting.example"));

        var checks = await VerifyAsync();

        Assert.Equal("mismatch", Status(checks["ptr"]));
        Assert.Equal(["vps-1234.hosting.example"], Found(checks["ptr"]));
        Assert.Equal("present", Status(checks["address"]));
    }

    [Fact]
    public async Task Rotation_activates_only_once_dns_serves_the_new_key_and_retires_the_old()
    {
        await PublishAsync();
        var rotated = await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { });
        Assert.Equal(HttpStatusCode.Created, rotated.StatusCode);
        var pending = (await rotated.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("dkim_keys").EnumerateArray()
            .Single(k => k.GetProperty("status").GetString() == "pending");
        var selector = pending.GetProperty("selector").GetString()!;
        Assert.Matches("^ee1-[0-9]{8}$", selector);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { })).StatusCode);

        // Published alongside the old key; DNS still serves only the old one.
        var dkimNames = (await ZoneData.RecordsAsync(_client, "domain1.com")).Where(r => ZoneData.Kind(r) == "dkim").Select(ZoneData.Name).ToList();
        Assert.Equal(["ee1._domainkey.domain1.com", $"{selector}._domainkey.domain1.com"], dkimNames);
        var refused = await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/activate", new { });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("missing", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains("domain-key ee1,domain1.com,", await _client.GetStringAsync("/api/v1/pmta/config"));

        await PublishAsync();
        var activated = await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/activate", new { });

        Assert.Equal(HttpStatusCode.OK, activated.StatusCode);
        var body = await activated.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("present", body.GetProperty("dns_check").GetProperty("status").GetString());
        var domain = body.GetProperty("domain");
        Assert.Equal(selector, domain.GetProperty("selector").GetString());
        var statuses = domain.GetProperty("dkim_keys").EnumerateArray().ToDictionary(k => k.GetProperty("selector").GetString()!, k => k.GetProperty("status").GetString());
        Assert.Equal(new Dictionary<string, string?> { [selector] = "active", ["ee1"] = "retired" }, statuses);
        Assert.Contains($"domain-key {selector},domain1.com,", await _client.GetStringAsync("/api/v1/pmta/config"));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/activate", new { })).StatusCode);
    }

    [Fact]
    public async Task Force_activates_without_dns_and_explicit_selectors_are_validated()
    {
        Assert.Equal(HttpStatusCode.BadRequest, (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { selector = "Bad_Selector" })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { selector = "ee1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { selector = "s202611" })).StatusCode);

        var forced = await _client.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/activate", new { force = true });

        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        var body = await forced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("forced").GetBoolean());
        Assert.Equal("s202611", body.GetProperty("domain").GetProperty("selector").GetString());
    }
}
