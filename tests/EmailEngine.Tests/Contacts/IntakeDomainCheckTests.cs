using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;

namespace EmailEngine.Tests.Contacts;

public sealed class IntakeDomainCheckTests
{
    [Fact]
    public async Task Domain_without_mail_host_is_refused_and_a_dns_failure_keeps_the_contact()
    {
        using var dns = await DnsmasqServer.StartAsync(["shop-dns-check.fr"], ["--mx-host=ok.shop-dns-check.fr,mx.ok.shop-dns-check.fr,10"]);
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string>
        {
            ["OUTBOX_WORKER"] = "off", ["CONTACTS_DNS_CHECK"] = "on", ["DNS_SERVERS"] = dns.Endpoint,
        });
        using var client = engine.Client();

        var refused = await client.PostAsJsonAsync("/api/v2/contacts", new { email = "a@nothing.shop-dns-check.fr", tenant = "client-1" });
        var accepted = await client.PostAsJsonAsync("/api/v2/contacts", new { email = "a@ok.shop-dns-check.fr", tenant = "client-1" });
        dns.Dispose(); // resolver gone: the check cannot answer
        var unknown = await client.PostAsJsonAsync("/api/v2/contacts", new { email = "b@elsewhere.shop-dns-check.fr", tenant = "client-1" });

        Assert.Contains("(no_mail_host)", await IpValidationTests.AssertFieldError(refused, HttpStatusCode.BadRequest, "email"));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        var id = (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var timeline = (await client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/{id}")).GetProperty("timeline");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "domain_checked" && e.GetProperty("detail").GetString() == "unknown");
    }
}
