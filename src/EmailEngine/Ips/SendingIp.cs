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
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

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
    }
}
