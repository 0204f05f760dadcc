using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Data;

/// <summary>
/// The engine's one DbContext. Each feature owns its entities and an <see cref="IEntityTypeConfiguration{T}"/>
/// next to them; they are all picked up here. Two provider-specific subclasses carry their own migrations.
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The console's session-cookie keys (encrypted with the master key: Console/SessionKeyEncryption).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
}

public sealed class PostgresAppDbContext(DbContextOptions<PostgresAppDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Address keys are lower-cased already: byte-wise comparison keeps their unique index and the import's
        // sort off the locale's collation rules, which cost bulk import time.
        modelBuilder.Entity<Contacts.Contact>().Property(c => c.EmailKey).UseCollation("C");
        modelBuilder.Entity<Contacts.Import.ImportStagingRow>().Property(r => r.EmailKey).UseCollation("C");
        var contact = modelBuilder.Entity<Contacts.Contact>();
        // The primary key leads with the tenant, so one index serves id lookups, a tenant's scans in id order and
        // its imports' subscriber batches: each index on contacts costs bulk import time (a separate tenant index
        // cost about 2 core-s per million rows). Timelines therefore carry no foreign key to contacts here; erasing
        // a contact deletes its events itself.
        contact.HasKey(c => new { c.TenantId, c.Id });
        contact.Property(c => c.Id).UseIdentityByDefaultColumn();
        // Each connection takes contact ids a thousand at a time: the import's two COPY connections then append to
        // different leaf pages of the id-ordered index instead of contending for the same one (148,000 → 170,000
        // rows/s for a raw two-connection COPY). Ids stay unique; they are not in commit order across connections.
        contact.Property(c => c.Id).HasIdentityOptions(numbersToCache: 1000);
    }
}

public sealed class SqliteAppDbContext(DbContextOptions<SqliteAppDbContext> options) : AppDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // SQLite generates only a single-column integer key: the id is the key, and a tenant's contacts (and an
        // import's, for its subscriber batches) have their own index. Bulk import is PostgreSQL's.
        modelBuilder.Entity<Contacts.Contact>().HasIndex(c => new { c.TenantId, c.ImportJobId, c.Id });
        modelBuilder.Entity<Contacts.ContactEvent>().HasOne<Contacts.Contact>().WithMany().HasForeignKey(x => x.ContactId)
            .OnDelete(DeleteBehavior.Cascade);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot compare or order DateTimeOffset stored as text; store UTC ticks so queries translate.
        configurationBuilder.Properties<DateTimeOffset>()
            .HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>()
            .HaveConversion<Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter>();
    }
}
