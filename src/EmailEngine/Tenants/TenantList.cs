using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Tenants;

/// <summary>
/// A tenant's MailWizz list for one language (<c>ee:{tenant}:{language}</c>). MailWizz fires an autoresponder for
/// every subscriber of its list, so one list per language keeps a French welcome away from English contacts.
/// </summary>
public sealed class TenantList
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant Tenant { get; set; } = null!;
    public required string Language { get; set; }
    public SyncState Sync { get; set; } = new();

    public static string RemoteName(string tenantSlug, string language) => $"ee:{tenantSlug}:{language}";
}

internal sealed class TenantListConfiguration : IEntityTypeConfiguration<TenantList>
{
    public void Configure(EntityTypeBuilder<TenantList> list)
    {
        list.ToTable("tenant_lists");
        list.Property(l => l.Language).HasMaxLength(35);
        list.HasIndex(l => new { l.TenantId, l.Language }).IsUnique();
        list.HasOne(l => l.Tenant).WithMany().HasForeignKey(l => l.TenantId).OnDelete(DeleteBehavior.Cascade);
        list.OwnsSyncState(l => l.Sync);
    }
}
