using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.PowerMta.Config;

/// <summary>
/// One imported version of the V1 config's structure (old sending identity removed), which the renderer lays its
/// generated parts over. A new row per import whose result differs from the latest version.
/// </summary>
public sealed class PmtaBase
{
    public long Id { get; set; }
    public int Version { get; set; }
    /// <summary>SHA-256 (hex) of <see cref="ConfigText"/>: importing the same content again adds no version.</summary>
    public required string Sha256 { get; set; }
    public required string ConfigText { get; set; }
    public required string SourceName { get; set; }
    public required string Actor { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
    /// <summary>The import report (<see cref="ImportReport"/>) as JSON.</summary>
    public required string ReportJson { get; set; }
}

internal sealed class PmtaBaseConfiguration : IEntityTypeConfiguration<PmtaBase>
{
    public void Configure(EntityTypeBuilder<PmtaBase> pmtaBase)
    {
        pmtaBase.ToTable("pmta_bases");
        pmtaBase.HasIndex(b => b.Version).IsUnique();
        pmtaBase.Property(b => b.Sha256).HasMaxLength(64);
        pmtaBase.Property(b => b.SourceName).HasMaxLength(255);
        pmtaBase.Property(b => b.Actor).HasMaxLength(100);
    }
}
