using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.PowerMta;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Blocklists;

/// <summary>
/// The acceptance, end to end: a local DNS server (dnsmasq) serves Spamhaus ZEN's names, the engine sweeps
/// through it, and deploys to the test sshd. A critical listing takes the IP out of the pool and puts the standby in;
/// a Spamhaus error code touches nothing; delisting returns the IP to its status at the same sending day.
/// </summary>
[Trait("Category", "Ssh")]
public sealed class BlocklistMonitorTests : IAsyncLifetime
{
    private const string Listed = "203.0.113.1", PublicResolverAnswer = "203.0.113.2", OtherPoolStandby = "203.0.113.3", Standby = "203.0.113.4";
    private readonly PmtaHost _host = new();
    private readonly int _dnsPort = LoopbackPorts.Free();
    private DnsmasqServer _dns = null!;
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    private static readonly string[] Zone = ["zen.spamhaus.org", "dbl.spamhaus.org"];

    private static readonly string[] TestPoints = ["--host-record=2.0.0.127.zen.spamhaus.org,127.0.0.2", "--host-record=dbltest.com.dbl.spamhaus.org,127.0.1.2"];

    public async Task InitializeAsync()
    {
        _dns = await DnsmasqServer.StartAsync(Zone,
        [
            .. TestPoints,
            "--host-record=1.113.0.203.zen.spamhaus.org,127.0.0.3",
            "--txt-record=1.113.0.203.zen.spamhaus.org,\"Listed by CSS, see https://check.spamhaus.org/\"",
            "--host-record=2.113.0.203.zen.spamhaus.org,127.255.255.254",
        ], _dnsPort);
        var settings = _host.EngineSettings();
        settings["WARMUP_WORKER"] = "off";
        settings["OUTBOX_WORKER"] = "off";
        settings["DNS_SERVERS"] = _dns.Endpoint;
        settings["BLOCKLIST_ZONES"] = "spamhaus-zen,spamhaus-dbl";
        _server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        _client = _server.Client();
        // The other pool's standby waits longer, but only a standby of the listed IP's own pool replaces it.
        foreach (var (ip, status, pool) in new[] { (Listed, "warming", "all"), (PublicResolverAnswer, "warming", "all"), (OtherPoolStandby, "standby", "reserve"),
                     (Standby, "standby", "all") })
            (await _client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status, pool })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        _dns.Dispose();
        _host.Dispose();
    }

    private async Task<JsonElement> IpAsync(string address) =>
        (await _client.GetFromJsonAsync<JsonElement>("/api/v1/ips")).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("ip").GetString() == address);

    private async Task<JsonElement> SweepAsync()
    {
        var response = await _client.PostAsync("/api/v1/blocklists/check", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    [Fact]
    public async Task A_critical_listing_swaps_in_the_standby_and_a_delisting_brings_the_ip_back_at_its_sending_day()
    {
        var listedId = (await IpAsync(Listed)).GetProperty("id").GetInt64();
        (await _client.PostAsJsonAsync($"/api/v1/ips/{listedId}/warmup/override", new { action = "skip_to_day", day = 9, reason = "migrated IP" })).EnsureSuccessStatusCode();

        var sweep = await SweepAsync();

        Assert.Empty(sweep.GetProperty("broken_zones").EnumerateArray());
        Assert.Equal("paused", (await IpAsync(Listed)).GetProperty("status").GetString());
        var standby = await IpAsync(Standby);
        Assert.Equal("warming", standby.GetProperty("status").GetString());
        Assert.Equal(1, standby.GetProperty("warmup").GetProperty("sending_day").GetInt32());
        // The error code was no listing: that IP keeps sending.
        Assert.Equal("warming", (await IpAsync(PublicResolverAnswer)).GetProperty("status").GetString());
        var live = await File.ReadAllTextAsync(_host.ConfigPath);
        Assert.Equal("standby", (await IpAsync(OtherPoolStandby)).GetProperty("status").GetString());
        Assert.Equal(["vmta-2", "vmta-4"], RenderConfig.SendingPoolMembers(live).Order());
        var status = await _client.GetFromJsonAsync<JsonElement>("/api/v1/blocklists");
        var listing = status.GetProperty("listed").EnumerateArray().Single();
        Assert.Equal((Listed, "spamhaus-zen", "critical", "SBL CSS"), (listing.GetProperty("target").GetString(), listing.GetProperty("zone").GetString(),
            listing.GetProperty("severity").GetString(), listing.GetProperty("sublists").GetString()));
        Assert.Contains("check.spamhaus.org", listing.GetProperty("txt").GetString());
        Assert.Contains($"standby {Standby} put in", listing.GetProperty("action").GetString());
        Assert.Contains("deployment", listing.GetProperty("action").GetString());
        Assert.Contains("succeeded", listing.GetProperty("action").GetString());
        var error = status.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("target").GetString() == PublicResolverAnswer);
        Assert.Equal("error", error.GetProperty("state").GetString());
        Assert.Contains("public or unattributable resolver", error.GetProperty("detail").GetString());

        var alerts = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/alerts?state=open")).GetProperty("items").EnumerateArray()
            .ToDictionary(a => a.GetProperty("key").GetString()!);
        var alert = alerts[$"blocklist:{Listed}:spamhaus-zen"];
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Contains($"standby {Standby} put in", alert.GetProperty("body").GetString());
        Assert.Equal("raised", alert.GetProperty("notifications")[0].GetProperty("kind").GetString());
        Assert.Equal("warning", alerts["blocklist-checker:spamhaus-zen"].GetProperty("severity").GetString());
        Assert.Contains("public or unattributable resolver", alerts["blocklist-checker:spamhaus-zen"].GetProperty("body").GetString());

        // A second sweep while still listed changes nothing, and sends nothing new.
        Assert.Empty((await SweepAsync()).GetProperty("changes").EnumerateArray());

        // Delisted: the same names without the listing.
        _dns.Dispose();
        _dns = await DnsmasqServer.StartAsync(Zone, TestPoints, _dnsPort);
        var delisted = await SweepAsync();

        Assert.Contains(delisted.GetProperty("changes").EnumerateArray(), c => c.GetString()!.StartsWith($"{Listed} back to warming"));
        var back = await IpAsync(Listed);
        Assert.Equal("warming", back.GetProperty("status").GetString());
        Assert.Equal(9, back.GetProperty("warmup").GetProperty("sending_day").GetInt32());
        Assert.Equal(["vmta-1", "vmta-2", "vmta-4"], RenderConfig.SendingPoolMembers(await File.ReadAllTextAsync(_host.ConfigPath)).Order());
        var history = (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/blocklists/listings?target={Listed}")).EnumerateArray().Single();
        Assert.NotEqual(JsonValueKind.Null, history.GetProperty("delisted_at").ValueKind);
        Assert.Contains("back to warming", history.GetProperty("delist_action").GetString());
        var resolved = (await _client.GetFromJsonAsync<JsonElement>("/api/v1/alerts?state=resolved")).GetProperty("items").EnumerateArray()
            .Single(a => a.GetProperty("key").GetString() == $"blocklist:{Listed}:spamhaus-zen");
        Assert.Equal(["raised", "resolved"], resolved.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString()));
        Assert.Equal(2, resolved.GetProperty("occurrences").GetInt32());
    }

    [Fact]
    public async Task A_zone_whose_test_point_fails_is_not_trusted_and_nothing_is_touched()
    {
        _dns.Dispose();
        _dns = await DnsmasqServer.StartAsync(Zone, ["--host-record=1.113.0.203.zen.spamhaus.org,127.0.0.2"], _dnsPort);

        var sweep = await SweepAsync();

        Assert.Contains(sweep.GetProperty("broken_zones").EnumerateArray(), z => z.GetString()!.StartsWith("spamhaus-zen: its test point 127.0.0.2 is not listed"));
        Assert.Empty(sweep.GetProperty("changes").EnumerateArray());
        Assert.Equal("warming", (await IpAsync(Listed)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Only_the_operator_sees_blocklists()
    {
        var tenantKey = await _server.CreateTenantKeyAsync("client-1");
        using var tenant = _server.Client(tenantKey);

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/blocklists")).StatusCode);
    }
}
