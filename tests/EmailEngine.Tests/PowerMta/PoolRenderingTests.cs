using EmailEngine.Ips;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Config;
using EmailEngine.Tenants;

namespace EmailEngine.Tests.PowerMta;

/// <summary>One PowerMTA pool per owner of IPs, and the validator's refusals of pools that would mix tenants' reputations.</summary>
public sealed class PoolRenderingTests
{
    private static readonly PmtaRenderSettings Settings = new("mail.domain1.com", "postmaster@domain1.com", [], "/etc/pmta/dkim", "ee1");
    private static readonly DateTimeOffset At = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly Tenant Client1 = new() { Id = 1, Slug = "client-1", Name = "Client 1" };
    private static readonly Tenant Client2 = new() { Id = 2, Slug = "client-2", Name = "Client 2" };

    private static SendingIp Ip(long id, IpStatus status, Tenant? tenant = null, string? pool = null) => new()
    {
        Id = id, Address = $"203.0.113.{id}", Domain = $"mail{id}.domain{id}.com", Status = status, Tenant = tenant, TenantId = tenant?.Id, Pool = pool,
    };

    /// <summary>Pool → members, parsed from the rendered text.</summary>
    private static Dictionary<string, string[]> Pools(string config) =>
        RenderConfig.SendingPools(config).ToDictionary(p => p.Key, p => p.Value.Order().ToArray());

    [Fact]
    public void Ips_nobody_owns_render_the_one_pool_all_as_before()
    {
        var config = RenderConfig.Render([Ip(1, IpStatus.Warming), Ip(2, IpStatus.Active), Ip(3, IpStatus.Paused)], Settings, At);

        Assert.Equal(new Dictionary<string, string[]> { ["pool-all"] = ["vmta-1", "vmta-2"] }, Pools(config));
        Assert.Single(config.Split('\n'), line => line.StartsWith("<virtual-mta-pool", StringComparison.Ordinal));
        Assert.Equal(new Dictionary<string, string[]> { ["pool-all"] = [] }, Pools(RenderConfig.Render([], Settings, At)));
    }

    [Fact]
    public void Each_tenant_and_shared_pool_gets_its_pool_of_its_sending_ips_and_every_live_ip_its_virtual_mta()
    {
        SendingIp[] ips =
        [
            Ip(1, IpStatus.Warming, Client1), Ip(2, IpStatus.Standby, Client1), Ip(3, IpStatus.Active, Client2), Ip(4, IpStatus.Paused, pool: "house"),
            Ip(5, IpStatus.Active), Ip(6, IpStatus.Retired, Client2),
        ];

        var config = RenderConfig.Render(ips, Settings, At);

        Assert.Equal(new Dictionary<string, string[]>
        {
            ["pool-all"] = ["vmta-5"], ["pool-client-1"] = ["vmta-1"], ["pool-client-2"] = ["vmta-3"], ["pool-house"] = [],
        }, Pools(config));
        Assert.Equal(["vmta-1", "vmta-3", "vmta-5"], RenderConfig.SendingPoolMembers(config).Order());
        foreach (var id in new[] { 1, 2, 3, 4, 5 })
            Assert.Contains($"\n<virtual-mta vmta-{id}>\n", config);
        Assert.DoesNotContain("<virtual-mta vmta-6>", config);
        Assert.False(RenderConfig.SendingPoolIsEmpty(config));
        Assert.Empty(ValidateConfig.Check(ConfigParser.Parse(config).Document, PmtaRendering.ContextFor(ips, Settings)));
    }

    [Fact]
    public void No_pool_with_a_member_is_an_empty_sending_pool_whoever_owns_the_ips()
    {
        var config = RenderConfig.Render([Ip(1, IpStatus.Paused, Client1), Ip(2, IpStatus.Standby, pool: "house")], Settings, At);

        Assert.True(RenderConfig.SendingPoolIsEmpty(config));
    }

    private static readonly SendingIp[] Owned = [Ip(1, IpStatus.Warming, Client1), Ip(2, IpStatus.Warming, Client2), Ip(3, IpStatus.Warming)];

    /// <summary>The messages of the errors found in a config made of the three IPs' virtual MTAs and the given pools.</summary>
    private static List<string> Errors(string pools)
    {
        var vmtas = string.Concat(Owned.Select(ip => $"""
            <virtual-mta {ip.VmtaName}>
                smtp-source-host {ip.Address} {ip.Domain}
                domain-key ee1,{SendingIp.SendingDomainOf(ip.Domain)},{RenderConfig.DkimKeyPath(Settings, SendingIp.SendingDomainOf(ip.Domain))}
            </virtual-mta>

            """));
        var config = $"smtp-listener 0.0.0.0:2525\n{vmtas}{pools}";
        return ValidateConfig.Check(ConfigParser.Parse(config).Document, PmtaRendering.ContextFor(Owned, Settings))
            .Where(f => f.Severity == ConfigFinding.Error).Select(f => f.Message).ToList();
    }

    private static string Pool(string name, params string[] members) =>
        $"<virtual-mta-pool {name}>\n{string.Concat(members.Select(m => $"    virtual-mta {m}\n"))}</virtual-mta-pool>\n";

    [Fact]
    public void The_rendered_pools_of_the_same_ips_validate()
    {
        Assert.Empty(Errors(Pool("pool-client-1", "vmta-1") + Pool("pool-client-2", "vmta-2") + Pool("pool-all", "vmta-3")));
    }

    [Fact]
    public void A_tenants_pool_holding_another_tenants_or_a_shared_ip_is_refused()
    {
        Assert.Equal([
            "pool 'pool-client-1' is tenant client-1's, but IP 203.0.113.2 (virtual MTA 'vmta-2') is tenant client-2's",
            "pool 'pool-client-1' is tenant client-1's, but IP 203.0.113.3 (virtual MTA 'vmta-3') is shared (pool-all)",
        ], Errors(Pool("pool-client-1", "vmta-1", "vmta-2", "vmta-3")));
    }

    [Fact]
    public void A_tenants_ip_in_a_shared_pool_is_refused()
    {
        Assert.Equal(["IP 203.0.113.1 (virtual MTA 'vmta-1') is tenant client-1's: it sends in pool-client-1 only, not in 'pool-all'"],
            Errors(Pool("pool-all", "vmta-1", "vmta-3")));
    }

    [Fact]
    public void An_ip_in_two_pools_is_refused()
    {
        Assert.Equal(["IP 203.0.113.3 (virtual MTA 'vmta-3') is already in pool 'pool-all': an IP sends in one pool only"],
            Errors(Pool("pool-all", "vmta-3") + Pool("pool-house", "vmta-3")));
    }

    [Fact]
    public void A_pool_member_that_is_no_virtual_mta_and_a_pool_named_like_a_virtual_mta_are_refused()
    {
        var errors = Errors(Pool("pool-all", "vmta-3", "vmta-9") + Pool("vmta-1"));

        Assert.Equal(2, errors.Count);
        Assert.Contains("pool 'pool-all' lists virtual MTA 'vmta-9', which is not defined", errors);
        Assert.Contains(errors, e => e.StartsWith("name 'vmta-1' is already used by <virtual-mta>", StringComparison.Ordinal));
    }
}
