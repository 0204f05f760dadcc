using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Templates;

/// <summary>A tenant's email template (subject + HTML with merge tags), pushed to MailWizz as a template.</summary>
public sealed class EmailTemplate
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant Tenant { get; set; } = null!;
    public required string Name { get; set; }
    public required string Subject { get; set; }
    public required string Html { get; set; }
    public required string Language { get; set; }
    public SyncState Sync { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>MailWizz templates are global to its customer account, so names carry the tenant.</summary>
    public static string RemoteName(string tenantSlug, string name) => $"{tenantSlug}/{name}";
}

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> template)
    {
        template.ToTable("templates");
        template.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
        template.HasIndex(t => new { t.TenantId, t.Language });
        template.Property(t => t.Name).HasMaxLength(TemplateRules.MaxNameLength);
        template.Property(t => t.Subject).HasMaxLength(255);
        template.Property(t => t.Language).HasMaxLength(35);
        template.HasOne(t => t.Tenant).WithMany().HasForeignKey(t => t.TenantId).OnDelete(DeleteBehavior.Restrict);
        template.OwnsSyncState(t => t.Sync);
    }
}
