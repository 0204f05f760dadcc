using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Contacts.Import;

public enum ImportStatus { Queued, Running, Completed, Failed }

/// <summary>One bulk import: progress while it runs, counts and rejected rows after.</summary>
public sealed class ImportJob
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string FileName { get; set; }
    public ImportStatus Status { get; set; }
    public long Rows { get; set; }
    public long Accepted { get; set; }
    public long Rejected { get; set; }
    /// <summary>Accepted rows whose address appeared again later in the file (the last occurrence wins).</summary>
    public long Duplicates { get; set; }
    public long Inserted { get; set; }
    public long Updated { get; set; }
    public long Suppressed { get; set; }
    public string? Error { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Ends the job failed, with the reason its poller reads.</summary>
    public void Fail(string error, DateTimeOffset at) => (Status, Error, FinishedAt) = (ImportStatus.Failed, error, at);
}

/// <summary>A rejected row: its number in the file (header = row 1), the value at fault and why.</summary>
public sealed class ImportReject
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long RowNumber { get; set; }
    public string? Value { get; set; }
    public required string Reason { get; set; }
}

internal sealed class ImportJobConfiguration : IEntityTypeConfiguration<ImportJob>
{
    public void Configure(EntityTypeBuilder<ImportJob> job)
    {
        job.ToTable("import_jobs");
        job.Property(j => j.FileName).HasMaxLength(260);
        job.Property(j => j.Error).HasMaxLength(2000);
        job.Property(j => j.Status).HasMaxLength(16)
            .HasLowerCaseConversion();
    }
}

internal sealed class ImportRejectConfiguration : IEntityTypeConfiguration<ImportReject>
{
    public void Configure(EntityTypeBuilder<ImportReject> reject)
    {
        reject.ToTable("import_rejects");
        reject.Property(r => r.Value).HasMaxLength(1000);
        reject.Property(r => r.Reason).HasMaxLength(500);
        reject.HasIndex(r => new { r.JobId, r.RowNumber });
    }
}

/// <summary>
/// Rows of a running import, before the merge into <c>contacts</c>. UNLOGGED in PostgreSQL (a crash loses the
/// staging, never a contact: the import is re-run and upserts).
/// </summary>
public sealed class ImportStagingRow
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public long RowNumber { get; set; }
    public required string Email { get; set; }
    public required string EmailKey { get; set; }
    /// <summary>SHA-256 of <see cref="EmailKey"/>, computed while reading, to match suppressions in a hash join.</summary>
    public required string EmailHash { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Company { get; set; }
    public required string Language { get; set; }
    public string? Source { get; set; }
    public required string Tags { get; set; }
    public required string Fields { get; set; }
    public int Flags { get; set; }
}

internal sealed class ImportStagingRowConfiguration : IEntityTypeConfiguration<ImportStagingRow>
{
    public void Configure(EntityTypeBuilder<ImportStagingRow> row)
    {
        // No index: COPY speed matters more; the merge sorts once.
        row.ToTable("import_staging");
    }
}
