using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// The single source of delivery outcomes: one row per hour × vmta (sending IP) × ISP group × tenant × campaign,
/// incremented as accounting records are ingested, so reads never scan raw records. Unattributed records count
/// under tenant 0 / campaign 0 / vmta "" (the key columns are never null, so one upsert target covers every row).
/// </summary>
public sealed class DeliveryStat
{
    /// <summary>Hours since the Unix epoch (UTC): the same integer on PostgreSQL and SQLite, cheap to range and bucket.</summary>
    public long Hour { get; set; }
    public required string Vmta { get; set; }
    public IspGroup IspGroup { get; set; }
    public long TenantId { get; set; }
    public long CampaignId { get; set; }
    /// <summary>Final outcomes of delivery attempts: delivered (d) + bounced (b).</summary>
    public long Sent { get; set; }
    public long Delivered { get; set; }
    /// <summary>Transient failures (t): PowerMTA retries these.</summary>
    public long Deferred { get; set; }
    /// <summary>The deferrals classified as blocks (rate limits, reputation): an IP warmup signal.</summary>
    public long DeferredBlock { get; set; }
    public long BouncedHard { get; set; }
    public long BouncedSoft { get; set; }
    public long BouncedBlock { get; set; }
    public long BouncedOther { get; set; }
    public long Complaints { get; set; }

    public static long HourOf(DateTimeOffset at) => (long)Math.Floor(at.ToUnixTimeSeconds() / 3600d);

    public static DateTimeOffset StartOf(long hour) => DateTimeOffset.FromUnixTimeSeconds(hour * 3600);
}

internal sealed class DeliveryStatConfiguration : IEntityTypeConfiguration<DeliveryStat>
{
    public void Configure(EntityTypeBuilder<DeliveryStat> stat)
    {
        stat.ToTable("delivery_stats");
        stat.HasKey(s => new { s.Hour, s.Vmta, s.IspGroup, s.TenantId, s.CampaignId });
        stat.Property(s => s.Vmta).HasMaxLength(64);
        stat.Property(s => s.IspGroup).HasMaxLength(16)
            .HasConversion(g => g.Name(), text => Enum.Parse<IspGroup>(text, true));
        // Reads filter by vmta (warmup gates) or tenant (tenant keys) over an hour range.
        stat.HasIndex(s => new { s.Vmta, s.Hour });
        stat.HasIndex(s => new { s.TenantId, s.Hour });
    }
}
