using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Deliverability;

/// <summary>
/// One soft bounce (mailbox full, temporary failure) of an address for a tenant. A soft bounce alone does not
/// suppress; <see cref="SuppressionPolicy"/> counts these in a sliding window.
/// </summary>
public sealed class SoftBounce
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public required string EmailHash { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The accounting record: <c>acct:FILE#OFFSET</c>.</summary>
    public required string Source { get; set; }
}

internal sealed class SoftBounceConfiguration : IEntityTypeConfiguration<SoftBounce>
{
    public void Configure(EntityTypeBuilder<SoftBounce> bounce)
    {
        bounce.ToTable("soft_bounces");
        bounce.Property(b => b.EmailHash).HasMaxLength(64);
        bounce.Property(b => b.Source).HasMaxLength(200);
        bounce.HasIndex(b => new { b.TenantId, b.EmailHash, b.At });
        bounce.HasOne<Tenants.Tenant>().WithMany().HasForeignKey(b => b.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
