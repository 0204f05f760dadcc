using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.PowerMta.Deploy;

public enum DeploymentStatus { Running, Succeeded, Unchanged, DryRun, Failed, RolledBack }

public static class DeploymentStatuses
{
    public static string ToWire(DeploymentStatus status) => status switch
    {
        DeploymentStatus.DryRun => "dry_run",
        DeploymentStatus.RolledBack => "rolled_back",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static DeploymentStatus Parse(string text) => Enum.Parse<DeploymentStatus>(text.Replace("_", ""), ignoreCase: true);
}

/// <summary>One attempt to deploy PowerMTA's configuration: who, when, what changed, what happened.</summary>
public sealed class Deployment
{
    public long Id { get; set; }
    /// <summary>The PowerMTA host deployed to (<see cref="PmtaHostOptions.Name"/>).</summary>
    public string Host { get; set; } = PmtaHostOptions.DefaultName;
    public required string Actor { get; set; }
    public DeploymentStatus Status { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public required string ConfigSha256 { get; set; }
    /// <summary>The full config text deployed (or proposed), so the next diff is against what is really live.</summary>
    public required string ConfigText { get; set; }
    public string Diff { get; set; } = "";
    /// <summary>Step-by-step log including PowerMTA's own output; never holds key material.</summary>
    public string Log { get; set; } = "";
    public string? Error { get; set; }
    public string? BackupPath { get; set; }
}

internal sealed class DeploymentConfiguration : IEntityTypeConfiguration<Deployment>
{
    public void Configure(EntityTypeBuilder<Deployment> deployment)
    {
        deployment.ToTable("pmta_deployments");
        deployment.Property(d => d.Host).HasMaxLength(64).HasDefaultValue(PmtaHostOptions.DefaultName);
        deployment.Property(d => d.Actor).HasMaxLength(100);
        deployment.Property(d => d.ConfigSha256).HasMaxLength(64);
        deployment.Property(d => d.Status).HasMaxLength(16)
            .HasConversion(s => DeploymentStatuses.ToWire(s), s => DeploymentStatuses.Parse(s));
        deployment.Property(d => d.Error).HasMaxLength(2000);
        deployment.Property(d => d.BackupPath).HasMaxLength(500);
        deployment.HasIndex(d => d.StartedAt);
        deployment.HasIndex(d => new { d.Host, d.Id });
    }
}
