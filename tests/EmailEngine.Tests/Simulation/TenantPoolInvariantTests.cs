using EmailEngine.Simulation;

namespace EmailEngine.Tests.Simulation;

/// <summary>The tenant invariant must catch mail leaving through another tenant's IP, and only that.</summary>
public sealed class TenantPoolInvariantTests
{
    private static readonly DateTimeOffset Start = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string?> Owners = new() { ["vmta-1"] = "tenant-1", ["vmta-2"] = "tenant-2", ["vmta-3"] = null };

    private static TenantSend Send(double hours, string vmta, string tenant) => new(Start.AddHours(hours), vmta, tenant);

    [Fact]
    public void Each_tenant_through_its_own_ips_and_anyone_through_shared_ones_is_no_leak()
    {
        var sends = new[] { Send(1, "vmta-1", "tenant-1"), Send(2, "vmta-2", "tenant-2"), Send(3, "vmta-3", "tenant-1"), Send(4, "vmta-3", "tenant-2"),
            Send(5, "vmta-9", "tenant-2") }; // vmta-9: not one of the owned IPs

        Assert.Empty(TenantPoolInvariant.Check(sends, Owners));
    }

    [Fact]
    public void Mail_through_another_tenants_ip_is_a_leak_counted_per_ip_and_tenant_and_untagged_mail_too()
    {
        var sends = new[] { Send(1, "vmta-1", "tenant-1"), Send(2, "vmta-1", "tenant-2"), Send(3, "vmta-1", "tenant-2"), Send(4, "vmta-2", "") };

        var leaks = TenantPoolInvariant.Check(sends, Owners);

        Assert.Equal([new TenantLeak("vmta-1", "tenant-1", "tenant-2", 2, Start.AddHours(2)), new TenantLeak("vmta-2", "tenant-2", "", 1, Start.AddHours(4))],
            leaks);
    }
}
