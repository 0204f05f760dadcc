using EmailEngine.Common;
using EmailEngine.Contacts.Validation;
using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Contacts;

/// <summary>The optional MX check against a real DNS server.</summary>
public sealed class DomainCheckTests
{
    private static DomainCheck Check(string servers)
    {
        var settings = SettingsLoader.FromValues(new Dictionary<string, string>
        {
            ["API_KEY"] = "test_key_123", ["CONTACTS_DNS_CHECK"] = "on", ["DNS_SERVERS"] = servers,
        });
        return new(DomainCheckSettings.From(settings), DnsServers.From(settings), TimeProvider.System);
    }

    [Fact]
    public async Task Mx_address_only_and_missing_domains_are_told_apart()
    {
        using var dns = await DnsmasqServer.StartAsync(["example.test"],
        [
            "--mx-host=withmx.example.test,mail.withmx.example.test,10", "--host-record=mail.withmx.example.test,192.0.2.1",
            "--host-record=aonly.example.test,192.0.2.2",
        ]);
        var check = Check(dns.Endpoint);

        Assert.True(check.Enabled);
        Assert.Equal(DomainVerdict.HasMx, await check.CheckAsync("withmx.example.test", CancellationToken.None));
        Assert.Equal(DomainVerdict.HasAddressOnly, await check.CheckAsync("aonly.example.test", CancellationToken.None));
        Assert.Equal(DomainVerdict.NoMailHost, await check.CheckAsync("nothing.example.test", CancellationToken.None));
    }

    [Fact]
    public async Task Unreachable_dns_is_unknown_not_an_error()
    {
        var check = Check($"127.0.0.1:{LoopbackPorts.Free()}");

        Assert.Equal(DomainVerdict.Unknown, await check.CheckAsync("example.com", CancellationToken.None));
    }

    [Theory]
    [InlineData("DNS_SERVERS", "127.0.0.1:5353, dns.example")]
    [InlineData("DNS_RESOLVER", "10.0.0.1:99999")]
    public void A_malformed_resolver_stops_the_start_naming_the_key(string key, string value)
    {
        var settings = SettingsLoader.FromValues(new Dictionary<string, string> { ["API_KEY"] = "test_key_123", [key] = value });

        var error = Assert.Throws<ConfigurationError>(() => DnsServers.From(settings));

        Assert.StartsWith($"Invalid configuration: {key}:", error.Message);
    }

    [Fact]
    public void Dns_servers_wins_over_its_older_alias_and_ports_default_to_53()
    {
        var settings = SettingsLoader.FromValues(new Dictionary<string, string>
        {
            ["API_KEY"] = "test_key_123", ["DNS_SERVERS"] = "127.0.0.1:5353,192.0.2.1", ["DNS_RESOLVER"] = "198.51.100.1",
        });

        Assert.Equal(["127.0.0.1:5353", "192.0.2.1:53"], DnsServers.From(settings).Endpoints.Select(e => e.ToString()));
    }
}
