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
    /// <summary>Sender and company details MailWizz requires for lists and campaigns; null = operator default.</summary>
    public SenderSettings Sender { get; set; } = new();
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
        tenant.OwnsOne(t => t.Sender, sender =>
        {
            sender.Property(s => s.FromName).HasColumnName("from_name").HasMaxLength(100);
            sender.Property(s => s.FromEmail).HasColumnName("from_email").HasMaxLength(100);
            sender.Property(s => s.ReplyTo).HasColumnName("reply_to").HasMaxLength(100);
            sender.Property(s => s.CompanyName).HasColumnName("company_name").HasMaxLength(100);
            sender.Property(s => s.CompanyAddress).HasColumnName("company_address").HasMaxLength(255);
            sender.Property(s => s.CompanyCity).HasColumnName("company_city").HasMaxLength(100);
            sender.Property(s => s.CompanyZip).HasColumnName("company_zip").HasMaxLength(20);
            sender.Property(s => s.CompanyCountry).HasColumnName("company_country").HasMaxLength(100);
        });
        tenant.Navigation(t => t.Sender).IsRequired();
    }
}
