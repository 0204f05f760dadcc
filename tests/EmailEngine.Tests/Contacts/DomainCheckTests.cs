using EmailEngine.Contacts.Validation;
using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Contacts;

/// <summary>The optional MX check against a real DNS server.</summary>
public sealed class DomainCheckTests
{
    private static DomainCheck Check(string servers) => new(SettingsLoader.FromValues(new Dictionary<string, string>
    {
        ["API_KEY"] = "test_key_123", ["CONTACTS_DNS_CHECK"] = "on", ["DNS_SERVERS"] = servers,
    }), TimeProvider.System);

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
}
