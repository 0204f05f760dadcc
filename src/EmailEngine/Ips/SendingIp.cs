using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Ips;

/// <summary>A dedicated sending IP and the host name it announces (HELO / PowerMTA smtp-source-host).</summary>
public sealed class SendingIp
{
    public long Id { get; set; }
    /// <summary>Canonical text form (IPv6 compressed, lower case), unique.</summary>
    public required string Address { get; set; }
    public required string Domain { get; set; }
    public IpStatus Status { get; set; }
    /// <summary>The PowerMTA host that sends from this IP (<see cref="PowerMta.Hosts.RegisteredPmtaHost.Name"/>); null: the default host.</summary>
    public string? Host { get; set; }

    /// <summary>The name of the host of the PowerMTA settings (<c>PMTA_*</c>), which <see cref="Host"/> stores as null.</summary>
    public const string DefaultHostName = "default";

    /// <summary>The IP's host name as the API shows it.</summary>
    public string HostName => Host ?? DefaultHostName;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The tenant the IP sends for alone (its reputation is that tenant's); null for a shared IP.</summary>
    public long? TenantId { get; set; }
    public Tenant? Tenant { get; set; }

    /// <summary>
    /// The shared pool the operator put the IP in; null = the default shared pool (<see cref="IpOwnership.DefaultPool"/>).
    /// Never set with a tenant.
    /// </summary>
    public string? Pool { get; set; }

    /// <summary>The sending domain signed for an IP: its HELO host without the first label (mail1.domain1.com → domain1.com).</summary>
    public static string SendingDomainOf(string heloHost)
    {
        var dot = heloHost.IndexOf('.');
        return dot > 0 && heloHost.IndexOf('.', dot + 1) > 0 ? heloHost[(dot + 1)..] : heloHost;
    }

    /// <summary>The PowerMTA pool the IP sends in: <c>pool-{tenant slug}</c>, <c>pool-{shared pool}</c> or <c>pool-all</c>.</summary>
    public string PoolName => IpOwnership.PoolName(TenantId is null ? Pool ?? IpOwnership.DefaultPool
        : Tenant?.Slug ?? throw new InvalidOperationException($"IP {Id}'s tenant is not loaded: its pool cannot be named"));

    /// <summary>
    /// The IP's PowerMTA virtual MTA. Ids come from an identity (PostgreSQL) or AUTOINCREMENT (SQLite) key, so a
    /// name is never reused after a delete and accounting history stays attributable.
    /// </summary>
    public string VmtaName => $"vmta-{Id}";
}

internal sealed class SendingIpConfiguration : IEntityTypeConfiguration<SendingIp>
{
    public void Configure(EntityTypeBuilder<SendingIp> ip)
    {
        ip.ToTable("sending_ips");
        ip.HasIndex(i => i.Address).IsUnique();
        ip.Property(i => i.Address).HasMaxLength(45);
        ip.Property(i => i.Domain).HasMaxLength(253);
        ip.Property(i => i.Status).HasMaxLength(16)
            .HasConversion(status => IpStatuses.ToWire(status), text => IpStatuses.Parse(text)!.Value);
        ip.Property(i => i.Host).HasMaxLength(64);
        ip.HasIndex(i => i.Host);
        ip.Ignore(i => i.VmtaName);
        ip.Ignore(i => i.PoolName);
        ip.Property(i => i.Pool).HasMaxLength(IpOwnership.PoolMaxLength);
        // A tenant that owns IPs stays: its IPs' reputation and accounting history are its own.
        ip.HasOne(i => i.Tenant).WithMany().HasForeignKey(i => i.TenantId).OnDelete(DeleteBehavior.Restrict);
        // Every IP's pool is named after its tenant, so the tenant is always loaded with it.
        ip.Navigation(i => i.Tenant).AutoInclude();
    }
}
