using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Dkim;
using EmailEngine.Ips;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Dkim;

/// <summary>The records to publish, as JSON and as zone lines.</summary>
public sealed class DnsRecordTests
{
    private static readonly string PublicKey = Convert.ToBase64String(System.Security.Cryptography.RSA.Create(2048).ExportSubjectPublicKeyInfo());

    [Fact]
    public void A_domain_with_an_ipv4_and_an_ipv6_gets_dkim_spf_dmarc_addresses_and_ptrs()
    {
        var domain = new SendingDomain { Name = "domain1.com" };
        domain.Keys.Add(new DkimKey { Selector = "ee1", Status = DkimKeyStatus.Active, PublicKey = PublicKey, Fingerprint = "f", EncryptedPrivateKey = [] });
        domain.Keys.Add(new DkimKey { Selector = "old", Status = DkimKeyStatus.Retired, PublicKey = "AAAA", Fingerprint = "f", EncryptedPrivateKey = [] });
        var ips = new[]
        {
            new SendingIp { Id = 1, Address = "203.0.113.1", Domain = "mail1.domain1.com" },
            new SendingIp { Id = 2, Address = "2001:db8::25", Domain = "mail6.domain1.com" },
        };

        var records = DnsRecords.For(domain, ips);

        Assert.Equal(["dkim", "spf", "dmarc", "address", "ptr", "address", "ptr"], records.Select(r => r.Kind));
        var dkim = records[0];
        Assert.Equal(("TXT", "ee1._domainkey.domain1.com", $"v=DKIM1; k=rsa; p={PublicKey}"), (dkim.Type, dkim.Name, dkim.Value));
        Assert.True(dkim.Value.Length > 255);
        Assert.All(dkim.Strings, s => Assert.InRange(System.Text.Encoding.ASCII.GetByteCount(s), 1, 255));
        Assert.Equal(dkim.Value, string.Concat(dkim.Strings));
        Assert.Equal("v=spf1 ip4:203.0.113.1 ip6:2001:db8::25 -all", records[1].Value);
        Assert.Equal(("_dmarc.domain1.com", "v=DMARC1; p=none; rua=mailto:dmarc@domain1.com"), (records[2].Name, records[2].Value));
        Assert.Equal(("A", "mail1.domain1.com", "203.0.113.1"), (records[3].Type, records[3].Name, records[3].Value));
        Assert.Equal(("PTR", "1.113.0.203.in-addr.arpa", "mail1.domain1.com"), (records[4].Type, records[4].Name, records[4].Value));
        Assert.Equal(("AAAA", "mail6.domain1.com"), (records[5].Type, records[5].Name));
        Assert.Equal("5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", records[6].Name);

        var zone = DnsRecords.Zone("domain1.com", records);
        Assert.Contains($"ee1._domainkey.domain1.com.\t3600\tIN\tTXT\t\"{dkim.Strings[0]}\" \"{dkim.Strings[1]}\"\n", zone);
        Assert.Contains("domain1.com.\t3600\tIN\tTXT\t\"v=spf1 ip4:203.0.113.1 ip6:2001:db8::25 -all\"\n", zone);
        Assert.Contains("1.113.0.203.in-addr.arpa.\t3600\tIN\tPTR\tmail1.domain1.com.\n", zone);
        Assert.Contains("mail6.domain1.com.\t3600\tIN\tAAAA\t2001:db8::25\n", zone);
        Assert.DoesNotContain("old._domainkey", zone);
    }

    [Fact]
    public async Task The_api_serves_records_as_json_and_zone_text()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite);
        using var client = engine.Client();
        (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" })).EnsureSuccessStatusCode();

        var json = await client.GetFromJsonAsync<JsonElement>("/api/v1/domains/domain1.com/dns");
        var zone = await client.GetAsync("/api/v1/domains/domain1.com/dns?format=zone");

        Assert.Equal("domain1.com", json.GetProperty("domain").GetString());
        Assert.Equal(["dkim", "spf", "dmarc", "address", "ptr"], json.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("kind").GetString()));
        Assert.Equal("text/plain", zone.Content.Headers.ContentType!.MediaType);
        var text = await zone.Content.ReadAsStringAsync();
        Assert.Equal(json.GetProperty("zone").GetString(), text);
        Assert.Contains("domain1.com.\t3600\tIN\tTXT\t\"v=spf1 ip4:203.0.113.1 -all\"", text);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/domains/domain1.com/dns?format=bind")).StatusCode);
    }
}
