using EmailEngine.Campaigns;
using EmailEngine.Contacts.Validation;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Contacts;

public enum ContactStatus { Active, Suppressed }

/// <summary>One person on a tenant's list: one row per (tenant, normalized address); a repeat intake updates it.</summary>
public sealed class Contact
{
    /// <summary>
    /// The first 128 bits of the SHA-256 of a (lower-cased) address key, big-endian, so the uuid's bytes are the
    /// hash's: the same prefix as the suppression hash of the address (<see cref="Suppressions.Suppression.HashOf"/>).
    /// A cryptographic hash, so nobody can craft an address that lands on another's contact.
    /// </summary>
    public static Guid KeyHashOf(string emailKey)
    {
        Span<byte> hash = stackalloc byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
        Suppressions.Suppression.HashNormalized(emailKey, hash);
        return new Guid(hash[..16], bigEndian: true);
    }

    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant Tenant { get; set; } = null!;
    /// <summary>As given, trimmed, domain lower-cased (the local part's case is the owner's).</summary>
    public required string Email { get; set; }
    /// <summary>Lower-cased address: one contact per (tenant, key), since mailbox providers ignore local-part case.</summary>
    public required string EmailKey { get; set; }
    /// <summary>
    /// <see cref="KeyHashOf"/> of <see cref="EmailKey"/>: the contact's unique index is on it, since a 16-byte
    /// fixed-width key costs bulk import much less to index than the text address (figures: docs/benchmarks.md).
    /// </summary>
    public Guid KeyHash { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? Company { get; set; }
    public required string Language { get; set; }
    public string? Source { get; set; }
    /// <summary>JSON array of strings (e.g. a contact category).</summary>
    public string Tags { get; set; } = "[]";
    /// <summary>JSON object of custom list-field values by MailWizz tag.</summary>
    public string Fields { get; set; } = "{}";
    public DateTimeOffset? ConsentAt { get; set; }
    public string? ConsentIp { get; set; }
    public string? ConsentText { get; set; }
    public ContactStatus Status { get; set; }
    public EmailFlags Flags { get; set; }
    /// <summary>The autoresponder that welcomes this contact (its template's language decides the MailWizz list).</summary>
    public long? WelcomeCampaignId { get; set; }
    public Campaign? WelcomeCampaign { get; set; }
    public SyncState Sync { get; set; } = new();
    /// <summary>The bulk import that last wrote this contact; its subscribers are pushed in batches by job.</summary>
    public long? ImportJobId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>What happened to a contact, in order: shown as its timeline.</summary>
public sealed class ContactEvent
{
    public long Id { get; set; }
    public long ContactId { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Type { get; set; }
    public string? Detail { get; set; }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> contact)
    {
        contact.ToTable("contacts");
        // Address first: one index serves both "this tenant's contact for an address" and "every tenant's contact
        // for an address" (accounting ingest, global suppressions). Each index costs bulk import time. How a
        // tenant's contacts are scanned is each provider's (see PostgresAppDbContext and SqliteAppDbContext).
        contact.HasIndex(c => new { c.KeyHash, c.TenantId }).IsUnique();
        contact.Property(c => c.Email).HasMaxLength(320);
        contact.Property(c => c.EmailKey).HasMaxLength(320);
        contact.Property(c => c.FirstName).HasMaxLength(255);
        contact.Property(c => c.LastName).HasMaxLength(255);
        contact.Property(c => c.Company).HasMaxLength(255);
        contact.Property(c => c.Language).HasMaxLength(35);
        contact.Property(c => c.Source).HasMaxLength(100);
        contact.Property(c => c.ConsentIp).HasMaxLength(45);
        contact.Property(c => c.ConsentText).HasMaxLength(1000);
        contact.Property(c => c.Status).HasMaxLength(16)
            .HasLowerCaseConversion();
        contact.Property(c => c.Flags).HasConversion<int>();
        contact.HasOne(c => c.Tenant).WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Cascade);
        contact.HasOne(c => c.WelcomeCampaign).WithMany().HasForeignKey(c => c.WelcomeCampaignId).OnDelete(DeleteBehavior.SetNull);
        contact.OwnsSyncState(c => c.Sync);
    }
}

internal sealed class ContactEventConfiguration : IEntityTypeConfiguration<ContactEvent>
{
    public void Configure(EntityTypeBuilder<ContactEvent> e)
    {
        e.ToTable("contact_events");
        e.Property(x => x.Type).HasMaxLength(40);
        e.Property(x => x.Detail).HasMaxLength(1000);
        e.HasIndex(x => new { x.ContactId, x.Id });
    }
}
