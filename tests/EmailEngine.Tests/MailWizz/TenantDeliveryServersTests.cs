using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using MailWizzStandIn;
using Microsoft.Extensions.Configuration;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// A tenant's campaigns may use only the MailWizz delivery servers of its own pool: given to MailWizz as
/// <c>campaign[delivery_servers]</c>, and given again when an IP changes owner or a server is linked. Real PostgreSQL,
/// the MailWizz stand-in over HTTP.
/// </summary>
public sealed class TenantDeliveryServersTests : IAsyncLifetime
{
    private MailWizzStandInServer _mailwizz = null!;
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = _mailwizz.EngineSettings();
        settings["OUTBOX_WORKER"] = "off";
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        _client = _engine.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        await _mailwizz.DisposeAsync();
    }

    [Fact]
    public async Task Each_tenants_campaigns_name_its_own_pools_servers_and_follow_an_ip_that_changes_owner()
    {
        foreach (var slug in new[] { "acme", "globex" })
            (await _client.PostAsJsonAsync("/api/v1/tenants", new { slug })).EnsureSuccessStatusCode();
        var ips = new Dictionary<string, long>();
        foreach (var (address, tenant, server) in new[] { ("203.0.113.1", "acme", 11), ("203.0.113.2", "acme", 12), ("203.0.113.3", (string?)null, 13) })
        {
            var ip = await (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = address, domain = "mail1.domain1.com", status = "active", tenant }))
                .Content.ReadFromJsonAsync<JsonElement>();
            ips[address] = ip.GetProperty("id").GetInt64();
            (await _client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{ips[address]}", new { server_id = server })).EnsureSuccessStatusCode();
        }
        // Each tenant's first contact brings its list and welcome autoresponder into MailWizz.
        foreach (var tenant in new[] { "acme", "globex" })
            (await _client.PostAsJsonAsync("/api/v2/contacts", new { email = $"ann@{tenant}-mail.fr", tenant, language = "fr" })).EnsureSuccessStatusCode();
        await _engine.SyncAllAsync();
        // acme owns two IPs; globex owns none and sends through the default shared pool.
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "11,12", ["globex/welcome_fr"] = "13" }, await ServersAsync());

        // An IP given to globex: globex now has a pool of its own, and acme's campaigns lose that server.
        (await _client.PatchAsJsonAsync($"/api/v1/ips/{ips["203.0.113.2"]}", new { tenant = "globex" })).EnsureSuccessStatusCode();
        await _engine.SyncAllAsync();
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "11", ["globex/welcome_fr"] = "12" }, await ServersAsync());

        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "sending", ["globex/welcome_fr"] = "sending" }, await StatusesAsync());

        // acme's last server unlinked: unrestricted, MailWizz could send acme's mail through globex's server, so acme's
        // campaigns are held in MailWizz (globex's are not) until a server of its own is linked again.
        (await _client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{ips["203.0.113.1"]}", new { server_id = (int?)null })).EnsureSuccessStatusCode();
        await _engine.SyncAllAsync();
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "", ["globex/welcome_fr"] = "12" }, await ServersAsync());
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "paused", ["globex/welcome_fr"] = "sending" }, await StatusesAsync());

        (await _client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{ips["203.0.113.1"]}", new { server_id = 11 })).EnsureSuccessStatusCode();
        await _engine.SyncAllAsync();
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "11", ["globex/welcome_fr"] = "12" }, await ServersAsync());
        Assert.Equal(new Dictionary<string, string> { ["acme/welcome_fr"] = "sending", ["globex/welcome_fr"] = "sending" }, await StatusesAsync());
    }

    [Fact]
    public void The_stand_in_honours_a_campaigns_servers_only_where_the_customer_group_allows_it()
    {
        var campaign = new MwCampaign { Uid = "c1", ListUid = "l1", TemplateUid = "t1", Content = "", Values = { ["delivery_servers"] = "12, 13" } };
        StandInOptions Options(bool canSelect) => StandInOptions.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["delivery-server"] = "127.0.0.1:2525", ["server-id"] = "11", ["can-select-delivery-servers"] = canSelect ? "true" : "false",
        }).Build()) is var options ? options with
        {
            DeliveryServers = [.. new[] { 11, 12, 13 }.Select(id => new DeliveryServer { Name = $"s{id}", Hostname = "127.0.0.1", ServerId = id })],
        } : null!;

        Assert.Equal(["s12", "s13"], Options(canSelect: true).ServersFor(campaign).Select(s => s.Name));
        Assert.Equal(["s11", "s12", "s13"], Options(canSelect: false).ServersFor(campaign).Select(s => s.Name));
        campaign.Values["delivery_servers"] = "";
        Assert.Equal(["s11", "s12", "s13"], Options(canSelect: true).ServersFor(campaign).Select(s => s.Name));
    }

    private async Task<Dictionary<string, string>> StatusesAsync() =>
        (await _mailwizz.StateAsync()).GetProperty("campaigns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!,
            c => c.GetProperty("status").GetString()!);

    private async Task<Dictionary<string, string>> ServersAsync() =>
        (await _mailwizz.StateAsync()).GetProperty("campaigns").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!,
            c => c.GetProperty("values").TryGetProperty("delivery_servers", out var servers) ? servers.GetString()! : "(not sent)");
}
