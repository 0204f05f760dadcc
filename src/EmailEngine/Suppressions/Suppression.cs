using System.Security.Cryptography;
using System.Text;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Suppressions;

public enum SuppressionReason { Unsubscribe, HardBounce, Complaint, Manual, Erased, SoftBounce }

/// <summary>
/// An address that must not be mailed: for one tenant, or for every tenant (global, <see cref="TenantId"/> null).
/// Matching is by a hash of the lower-cased address, so an erased contact (GDPR) stays suppressed with no
/// address kept in clear.
/// </summary>
public sealed class Suppression
{
    public long Id { get; set; }
    public long? TenantId { get; set; }
    public Tenant? Tenant { get; set; }
    /// <summary>Null once erased: only <see cref="EmailHash"/> remains.</summary>
    public string? Email { get; set; }
    public required string EmailHash { get; set; }
    public SuppressionReason Reason { get; set; }
    /// <summary>Where it came from: <c>api</c>, <c>import</c>, <c>acct:FILE#OFFSET</c>, <c>contact-erase</c>…</summary>
    public string Source { get; set; } = "api";
    public string? Note { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static string HashOf(string email)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        HashNormalized(Normalize(email), hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The SHA-256 behind <see cref="HashOf"/>, of an address already normalized, without allocating (bulk import matches every row).</summary>
    public static void HashNormalized(string normalized, Span<byte> hash)
    {
        var most = Encoding.UTF8.GetMaxByteCount(normalized.Length);
        Span<byte> bytes = most <= 1024 ? stackalloc byte[most] : new byte[most];
        Common.Sha256.HashData(bytes[..Encoding.UTF8.GetBytes(normalized, bytes)], hash);
    }
}

public static class SuppressionReasons
{
    public static readonly IReadOnlyList<string> Names = ["unsubscribe", "hard_bounce", "soft_bounce", "complaint", "manual", "erased"];

    public static string ToWire(SuppressionReason reason) => reason switch
    {
        SuppressionReason.HardBounce => "hard_bounce",
        SuppressionReason.SoftBounce => "soft_bounce",
        _ => reason.ToString().ToLowerInvariant(),
    };

    public static SuppressionReason? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "unsubscribe" => SuppressionReason.Unsubscribe,
        "hard_bounce" => SuppressionReason.HardBounce,
        "soft_bounce" => SuppressionReason.SoftBounce,
        "complaint" => SuppressionReason.Complaint,
        "manual" => SuppressionReason.Manual,
        "erased" => SuppressionReason.Erased,
        _ => null,
    };
}

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> suppression)
    {
        suppression.ToTable("suppressions");
        suppression.Property(s => s.Email).HasMaxLength(320);
        suppression.Property(s => s.EmailHash).HasMaxLength(64);
        suppression.Property(s => s.Source).HasMaxLength(200);
        suppression.Property(s => s.Note).HasMaxLength(500);
        suppression.Property(s => s.Reason).HasMaxLength(16)
            .HasConversion(r => SuppressionReasons.ToWire(r), r => SuppressionReasons.Parse(r)!.Value);
        suppression.HasIndex(s => new { s.EmailHash, s.TenantId }).IsUnique();
        suppression.HasOne(s => s.Tenant).WithMany().HasForeignKey(s => s.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
