using EmailEngine.Data;
using EmailEngine.Deliverability;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Warmup;

public enum DecisionKind { Start, Advance, Hold, Pause, Quarantine, Resume, Complete, Override }

/// <summary>
/// One warmup decision with its reason and the figures behind it (rates, thresholds, windows), and what happened to
/// the PowerMTA limits it changed.
/// </summary>
public sealed class WarmupDecision
{
    public long Id { get; set; }
    public long IpId { get; set; }
    public DateTimeOffset At { get; set; }
    public DecisionKind Kind { get; set; }
    /// <summary>Set when the decision concerns one ISP group only (a held step).</summary>
    public IspGroup? Group { get; set; }
    public int SendingDay { get; set; }
    /// <summary>The plan step after the decision (the group's when <see cref="Group"/> is set).</summary>
    public int Step { get; set; }
    public required string Reason { get; set; }
    /// <summary>JSON: the totals, rates and thresholds the decision was taken on.</summary>
    public string Figures { get; set; } = "{}";
    /// <summary><c>engine</c> or the operator who overrode.</summary>
    public required string Actor { get; set; }
    public long? DeploymentId { get; set; }
    public string? DeploymentStatus { get; set; }
    public string? DeploymentError { get; set; }
}

internal sealed class WarmupDecisionConfiguration : IEntityTypeConfiguration<WarmupDecision>
{
    public void Configure(EntityTypeBuilder<WarmupDecision> decision)
    {
        decision.ToTable("warmup_decisions");
        decision.HasIndex(d => new { d.IpId, d.Id });
        decision.HasOne<Ips.SendingIp>().WithMany().HasForeignKey(d => d.IpId).OnDelete(DeleteBehavior.Cascade);
        decision.Property(d => d.Kind).HasMaxLength(16)
            .HasLowerCaseConversion();
        decision.Property(d => d.Group).HasMaxLength(16)
            .HasLowerCaseConversion(); // IspGroups.Name: the group's name in lower case
        decision.Property(d => d.Reason).HasMaxLength(1000);
        decision.Property(d => d.Actor).HasMaxLength(100);
        decision.Property(d => d.DeploymentStatus).HasMaxLength(16);
        decision.Property(d => d.DeploymentError).HasMaxLength(2000);
    }
}
