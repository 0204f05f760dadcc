using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// Delivery outcomes per hour × PowerMTA host × vmta (sending IP) × ISP group × tenant × campaign, incremented as accounting records
/// are ingested, so reads never scan raw records. Unattributed records count under tenant 0 / campaign 0 / vmta ""
/// (the key columns are never null, so one upsert target covers every row). Kept twice: per hour
/// (<see cref="DeliveryStat"/>) and rolled up per UTC day (<see cref="DailyDeliveryStat"/>), so a 90-day report reads
/// 24× fewer rows.
/// </summary>
public abstract class DeliveryStatRow
{
    /// <summary>Hours since the Unix epoch (UTC): the same integer on PostgreSQL and SQLite, cheap to range and bucket.
    /// A daily row holds the first hour of its day.</summary>
    public long Hour { get; set; }
    /// <summary>The PowerMTA host whose accounting counted these outcomes.</summary>
    public string Host { get; set; } = PowerMta.Deploy.PmtaHostOptions.DefaultName;
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

    /// <summary>The first hour of the UTC day holding <paramref name="hour"/>.</summary>
    public static long DayOf(long hour) => (long)Math.Floor(hour / 24d) * 24;
}

/// <summary>One hour of outcomes.</summary>
public sealed class DeliveryStat : DeliveryStatRow
{
    public const string Table = "delivery_stats";
}

/// <summary>One UTC day of outcomes: the sum of that day's <see cref="DeliveryStat"/> rows, written with them.</summary>
public sealed class DailyDeliveryStat : DeliveryStatRow
{
    public const string Table = "delivery_stats_daily";
}

internal sealed class DeliveryStatConfiguration : IEntityTypeConfiguration<DeliveryStat>, IEntityTypeConfiguration<DailyDeliveryStat>
{
    public void Configure(EntityTypeBuilder<DeliveryStat> stat) => Configure(stat, DeliveryStat.Table);

    public void Configure(EntityTypeBuilder<DailyDeliveryStat> stat) => Configure(stat, DailyDeliveryStat.Table);

    private static void Configure<T>(EntityTypeBuilder<T> stat, string table) where T : DeliveryStatRow
    {
        stat.ToTable(table);
        stat.HasKey(s => new { s.Hour, s.Host, s.Vmta, s.IspGroup, s.TenantId, s.CampaignId });
        stat.Property(s => s.Host).HasMaxLength(64).HasDefaultValue(PowerMta.Deploy.PmtaHostOptions.DefaultName);
        stat.Property(s => s.Vmta).HasMaxLength(64);
        stat.Property(s => s.IspGroup).HasMaxLength(16)
            .HasLowerCaseConversion(); // IspGroups.Name: the group's name in lower case
        // Reads filter by vmta (warmup gates) or tenant (tenant keys) over an hour range.
        stat.HasIndex(s => new { s.Vmta, s.Hour });
        stat.HasIndex(s => new { s.TenantId, s.Hour });
    }
}
