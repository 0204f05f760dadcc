using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Dkim;

/// <summary>
/// A domain mail is signed for (d= in DKIM, the SPF and DMARC domain). Its IPs are not stored here: an IP belongs to
/// the domain of its HELO host (mail1.domain1.com → domain1.com), so the link can never disagree with the IP registry.
/// </summary>
public sealed class SendingDomain
{
    public long Id { get; set; }
    /// <summary>Lower-case ASCII (punycode), unique.</summary>
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public List<DkimKey> Keys { get; set; } = [];

    public DkimKey? ActiveKey => Keys.FirstOrDefault(k => k.Status == DkimKeyStatus.Active);
    public DkimKey? PendingKey => Keys.FirstOrDefault(k => k.Status == DkimKeyStatus.Pending);
}

internal sealed class SendingDomainConfiguration : IEntityTypeConfiguration<SendingDomain>
{
    public void Configure(EntityTypeBuilder<SendingDomain> domain)
    {
        domain.ToTable("sending_domains");
        domain.Property(d => d.Name).HasMaxLength(253);
        domain.HasIndex(d => d.Name).IsUnique();
        domain.HasMany(d => d.Keys).WithOne().HasForeignKey(k => k.DomainId).OnDelete(DeleteBehavior.Cascade);
        domain.Ignore(d => d.ActiveKey);
        domain.Ignore(d => d.PendingKey);
    }
}
