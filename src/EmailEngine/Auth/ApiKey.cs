using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Auth;

/// <summary>A tenant-scoped API key. Only its public id and a SHA-256 of the whole token are stored.</summary>
public sealed class ApiKey
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant Tenant { get; set; } = null!;
    /// <summary>Public part of the token (<c>eek_{KeyId}_{secret}</c>), used to find the row and shown in lists.</summary>
    public required string KeyId { get; set; }
    public required string Hash { get; set; }
    public required string Name { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> key)
    {
        key.ToTable("api_keys");
        key.HasIndex(k => k.KeyId).IsUnique();
        key.Property(k => k.KeyId).HasMaxLength(16);
        key.Property(k => k.Hash).HasMaxLength(64);
        key.Property(k => k.Name).HasMaxLength(100);
        key.HasOne(k => k.Tenant).WithMany().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
