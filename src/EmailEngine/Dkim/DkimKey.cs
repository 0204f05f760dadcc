using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Dkim;

/// <summary>
/// pending: published in DNS next to the active key, shipped to PowerMTA, not yet used to sign.
/// active: the key PowerMTA signs with (one per domain). retired: replaced; no longer published or shipped.
/// </summary>
public enum DkimKeyStatus { Pending, Active, Retired }

/// <summary>An RSA-2048 DKIM key of a sending domain. The private key is stored only encrypted (see <see cref="DkimVault"/>).</summary>
public sealed class DkimKey
{
    public long Id { get; set; }
    public long DomainId { get; set; }
    public required string Selector { get; set; }
    public DkimKeyStatus Status { get; set; }
    /// <summary>Base64 SubjectPublicKeyInfo (DER): the <c>p=</c> value of the DNS record.</summary>
    public required string PublicKey { get; set; }
    /// <summary>SHA-256 of the public key DER, lower-case hex: identifies a key without showing it.</summary>
    public required string Fingerprint { get; set; }
    /// <summary>AES-256-GCM of the PKCS#1 PEM private key, bound to its domain and selector.</summary>
    public required byte[] EncryptedPrivateKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ActivatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}

internal sealed class DkimKeyConfiguration : IEntityTypeConfiguration<DkimKey>
{
    public void Configure(EntityTypeBuilder<DkimKey> key)
    {
        key.ToTable("dkim_keys");
        key.Property(k => k.Selector).HasMaxLength(63);
        key.Property(k => k.Status).HasMaxLength(16)
            .HasLowerCaseConversion();
        key.Property(k => k.PublicKey).HasMaxLength(1000);
        key.Property(k => k.Fingerprint).HasMaxLength(64);
        key.HasIndex(k => new { k.DomainId, k.Selector }).IsUnique();
    }
}
