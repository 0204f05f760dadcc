using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Tenants;

/// <summary>One business the operator sends for. Everything a tenant owns carries its id.</summary>
public sealed class Tenant
{
    public long Id { get; set; }
    /// <summary>The name clients use (<c>"tenant": "client-1"</c>).</summary>
    public required string Slug { get; set; }
    public required string Name { get; set; }
    public string DefaultLanguage { get; set; } = "en";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> tenant)
    {
        tenant.ToTable("tenants");
        tenant.HasIndex(t => t.Slug).IsUnique();
        tenant.Property(t => t.Slug).HasMaxLength(64);
        tenant.Property(t => t.Name).HasMaxLength(200);
        tenant.Property(t => t.DefaultLanguage).HasMaxLength(35);
    }
}
