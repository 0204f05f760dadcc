using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Accounting;

/// <summary>
/// How far one accounting file has been ingested. A file is identified by the hash of its first two lines (header
/// and first record), not by its name: the identity survives PowerMTA's rotation (rename to <c>acct-*.csv</c>) and
/// gzip, and an uploaded copy of a pulled file is recognised. <see cref="CommittedOffset"/> (in uncompressed bytes)
/// is written in the same transaction as the stats of the records before it, so no record is counted twice.
/// </summary>
public sealed class AcctSource
{
    public long Id { get; set; }
    /// <summary>SHA-256 (hex) of the file's first two lines.</summary>
    public required string Identity { get; set; }
    /// <summary>The PowerMTA host that wrote the file (<see cref="PowerMta.Deploy.PmtaHostOptions.Name"/>): its records count for it.</summary>
    public string Host { get; set; } = PowerMta.Deploy.PmtaHostOptions.DefaultName;
    /// <summary>The name the file was last seen under (path on the PowerMTA host, or the upload's name).</summary>
    public required string Name { get; set; }
    /// <summary>The header in force at <see cref="CommittedOffset"/>, comma-joined, to resume mid-file.</summary>
    public string? Header { get; set; }
    public long CommittedOffset { get; set; }
    public long Records { get; set; }
    /// <summary>A rotated file read to its end: it will not grow, the puller skips it.</summary>
    public bool Completed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class AcctSourceConfiguration : IEntityTypeConfiguration<AcctSource>
{
    public void Configure(EntityTypeBuilder<AcctSource> source)
    {
        source.ToTable("acct_sources");
        source.HasIndex(s => s.Identity).IsUnique();
        source.Property(s => s.Identity).HasMaxLength(64);
        source.Property(s => s.Host).HasMaxLength(64).HasDefaultValue(PowerMta.Deploy.PmtaHostOptions.DefaultName);
        source.Property(s => s.Name).HasMaxLength(500);
        source.Property(s => s.Header).HasMaxLength(4000);
    }
}
