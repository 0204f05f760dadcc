using System.Net;
using DnsClient;
using EmailEngine.Blocklists;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Blocklists;

/// <summary>
/// The checker against a real DNS server (dnsmasq) that serves the real zone names locally, with the answers the
/// zones document: listings, several codes at once, Spamhaus's error codes, URIBL's refusal, IPv6 nibbles, test points.
/// </summary>
public sealed class BlocklistCheckerTests : IAsyncLifetime
{
    private DnsmasqServer _dns = null!;
    private BlocklistChecker _checker = null!;
    private readonly IReadOnlyDictionary<string, BlocklistZone> _zones = BlocklistCatalog.All(spamhausDqsKey: null).ToDictionary(z => z.Name);

    public async Task InitializeAsync()
    {
        _dns = await DnsmasqServer.StartAsync(["zen.spamhaus.org", "dbl.spamhaus.org", "bl.spamcop.net", "multi.uribl.com", "all.spamrats.com"],
        [
            "--host-record=2.0.0.127.zen.spamhaus.org,127.0.0.2",
            // 203.0.113.5: CSS and XBL at once, with a reason in TXT.
            "--host-record=5.113.0.203.zen.spamhaus.org,127.0.0.3", "--host-record=5.113.0.203.zen.spamhaus.org,127.0.0.4",
            "--txt-record=5.113.0.203.zen.spamhaus.org,\"https://check.spamhaus.org/listed/?searchterm=203.0.113.5\"",
            // 203.0.113.6: what Spamhaus answers a public resolver.
            "--host-record=6.113.0.203.zen.spamhaus.org,127.255.255.254",
            // 203.0.113.7: a name that exists without an A record.
            "--txt-record=7.113.0.203.zen.spamhaus.org,\"odd\"",
            // 203.0.113.8: an answer outside 127/8.
            "--host-record=8.113.0.203.zen.spamhaus.org,192.0.2.8",
            "--host-record=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org,127.0.0.2",
            "--host-record=dbltest.com.dbl.spamhaus.org,127.0.1.2",
            "--host-record=spammy-shop.fr.dbl.spamhaus.org,127.0.1.2",
            "--host-record=1.0.0.127.dbl.spamhaus.org,127.0.1.255",
            "--host-record=test.uribl.com.multi.uribl.com,127.0.0.14",
            "--host-record=grey-shop.fr.multi.uribl.com,127.0.0.4",
            "--host-record=refused-shop.fr.multi.uribl.com,127.0.0.1",
            "--host-record=2.0.0.127.all.spamrats.com,127.0.0.2",
            "--host-record=9.113.0.203.all.spamrats.com,127.0.0.37",
            // bl.spamcop.net is served without its test point: a broken zone.
            "--host-record=5.113.0.203.bl.spamcop.net,127.0.0.2",
        ]);
        _checker = new BlocklistChecker(new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, _dns.Port))
        {
            Timeout = TimeSpan.FromSeconds(1), Retries = 0, UseCache = false, ThrowDnsErrors = false, ContinueOnDnsError = false,
        }));
    }

    public Task DisposeAsync()
    {
        _dns.Dispose();
        return Task.CompletedTask;
    }

    private Task<ZoneAnswer> CheckAsync(string zone, string target) => _checker.CheckAsync(_zones[zone], target, CancellationToken.None);

    [Fact]
    public async Task Every_code_of_a_listing_is_decoded_with_its_sublist_severity_and_reason()
    {
        var listed = await CheckAsync("spamhaus-zen", "203.0.113.5");

        Assert.Equal(ListingState.Listed, listed.State);
        Assert.Equal(["SBL CSS", "XBL"], listed.Codes.Select(c => c.Sublist).Order());
        Assert.Equal(ListingSeverity.Critical, listed.Severity);
        Assert.Contains("check.spamhaus.org", listed.Txt);
        Assert.Equal(ListingState.Clear, (await CheckAsync("spamhaus-zen", "203.0.113.4")).State);
        Assert.Equal(ListingSeverity.Info, (await CheckAsync("spamrats", "203.0.113.9")).Severity);
    }

    [Theory]
    [InlineData("spamhaus-zen", "203.0.113.6", "public or unattributable resolver")]
    [InlineData("spamhaus-zen", "203.0.113.7", "empty answer")]
    [InlineData("spamhaus-zen", "203.0.113.8", "outside 127.0.0.0/8")]
    [InlineData("spamhaus-dbl", "1.0.0.127", "IP queries are not allowed")]
    [InlineData("uribl", "refused-shop.fr", "query refused")]
    [InlineData("psbl", "203.0.113.5", "Refused")]
    public async Task An_answer_that_is_not_a_documented_listing_is_a_checker_error_never_listed_nor_clear(string zone, string target, string why)
    {
        var answer = await CheckAsync(zone, target);

        Assert.Equal(ListingState.Error, answer.State);
        Assert.Contains(why, answer.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(answer.Codes);
    }

    [Fact]
    public async Task IPv6_addresses_are_queried_as_reversed_nibbles_and_domains_as_themselves()
    {
        Assert.Equal("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.spamhaus.org", _zones["spamhaus-zen"].QueryName("2001:db8::1"));
        Assert.Equal(ListingState.Listed, (await CheckAsync("spamhaus-zen", "2001:db8::1")).State);
        Assert.False(_zones["spamcop"].Covers("2001:db8::1"));
        Assert.Equal(ListingState.Listed, (await CheckAsync("spamhaus-dbl", "Spammy-Shop.fr.")).State);
        Assert.Equal(ListingSeverity.Info, (await CheckAsync("uribl", "grey-shop.fr")).Severity);
        Assert.False(_zones["spamhaus-dbl"].Covers("203.0.113.5"));
    }

    [Fact]
    public async Task A_zone_is_trusted_only_when_its_test_points_answer_as_documented()
    {
        Assert.Null(await _checker.ProbeAsync(_zones["spamhaus-zen"], CancellationToken.None));
        Assert.Null(await _checker.ProbeAsync(_zones["spamhaus-dbl"], CancellationToken.None));
        Assert.Null(await _checker.ProbeAsync(_zones["uribl"], CancellationToken.None));
        Assert.Contains("test point 127.0.0.2 is not listed", await _checker.ProbeAsync(_zones["spamcop"], CancellationToken.None));
    }

    [Fact]
    public async Task A_resolver_that_does_not_answer_is_an_error()
    {
        var silent = new BlocklistChecker(new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, LoopbackPorts.Free()))
        {
            Timeout = TimeSpan.FromMilliseconds(300), Retries = 0, UseCache = false, ThrowDnsErrors = false,
        }));

        var answer = await silent.CheckAsync(_zones["spamhaus-zen"], "203.0.113.5", CancellationToken.None);

        Assert.Equal(ListingState.Error, answer.State);
        Assert.Contains("did not answer", answer.Error);
    }

    [Fact]
    public void With_a_DQS_key_Spamhaus_is_queried_through_the_key_s_zone()
    {
        var zones = BlocklistCatalog.All("abc123key").ToDictionary(z => z.Name);

        Assert.Equal("5.113.0.203.abc123key.zen.dq.spamhaus.net", zones["spamhaus-zen"].QueryName("203.0.113.5"));
        Assert.Equal("shop.fr.abc123key.dbl.dq.spamhaus.net", zones["spamhaus-dbl"].QueryName("shop.fr"));
    }
}
