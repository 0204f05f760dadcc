using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.PowerMta.Hosts;

/// <summary>
/// A PowerMTA host the operator registered through <c>/api/v1/pmta/hosts</c>, besides the default one the settings
/// describe. <see cref="KeyFile"/> is the path of the SSH private key on the engine's machine: the key itself is never
/// stored, read for anything but the SSH login, or returned.
/// </summary>
public sealed class RegisteredPmtaHost
{
    public long Id { get; set; }
    /// <summary>Unique slug; IPs name their host by it, so it never changes.</summary>
    public required string Name { get; set; }
    public required string SshHost { get; set; }
    public int SshPort { get; set; } = 22;
    public string SshUser { get; set; } = "root";
    public required string KeyFile { get; set; }
    public string? HostKey { get; set; }
    public bool TrustUnknownHost { get; set; }
    public string ConfigPath { get; set; } = "/etc/pmta/config";
    public string AcctPath { get; set; } = "/var/log/pmta/acct.csv";
    /// <summary>Comma-joined IPs or CIDRs allowed to relay (the MailWizz hosts).</summary>
    public string RelaySources { get; set; } = "";
    /// <summary>Null: MailWizz connects to <see cref="SshHost"/>.</summary>
    public string? SmtpHost { get; set; }
    public string PmtaCommand { get; set; } = "pmta";
    public string DkimDirectory { get; set; } = "/etc/pmta/dkim";
    /// <summary>PowerMTA's HTTP management port on the host's loopback: rendered as its <c>http-mgmt-port</c>, read through SSH.</summary>
    public int MgmtPort { get; set; } = RenderConfig.DefaultMgmtPort;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> RelaySourceList => RelaySources.Split(',', StringSplitOptions.RemoveEmptyEntries);

    public PmtaHostOptions ToOptions() => new()
    {
        Name = Name, Host = SshHost, Port = SshPort, User = SshUser, KeyFile = KeyFile, HostKeyFingerprint = HostKey,
        TrustUnknownHost = TrustUnknownHost, ConfigPath = ConfigPath, PmtaCommand = PmtaCommand, DkimDirectory = DkimDirectory,
        AcctFile = AcctPath, RelaySources = RelaySourceList, SmtpHost = SmtpHost ?? SshHost, MgmtPort = MgmtPort,
    };
}

internal sealed class RegisteredPmtaHostConfiguration : IEntityTypeConfiguration<RegisteredPmtaHost>
{
    public void Configure(EntityTypeBuilder<RegisteredPmtaHost> host)
    {
        host.ToTable("pmta_hosts");
        host.HasIndex(h => h.Name).IsUnique();
        host.Property(h => h.Name).HasMaxLength(64);
        host.Property(h => h.SshHost).HasMaxLength(253);
        host.Property(h => h.SshUser).HasMaxLength(32);
        host.Property(h => h.KeyFile).HasMaxLength(500);
        host.Property(h => h.HostKey).HasMaxLength(80);
        host.Property(h => h.ConfigPath).HasMaxLength(500);
        host.Property(h => h.AcctPath).HasMaxLength(500);
        host.Property(h => h.RelaySources).HasMaxLength(4000);
        host.Property(h => h.SmtpHost).HasMaxLength(253);
        host.Property(h => h.PmtaCommand).HasMaxLength(500);
        host.Property(h => h.DkimDirectory).HasMaxLength(500);
        host.Ignore(h => h.RelaySourceList);
    }
}
