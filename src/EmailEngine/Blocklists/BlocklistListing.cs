using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Blocklists;

/// <summary>
/// One listing of an IP or domain on one zone, from the sweep that first saw it to the one that saw it gone. What the
/// engine did about it (and undid at delisting) is written in <see cref="Action"/> and <see cref="DelistAction"/>.
/// </summary>
public sealed class BlocklistListing
{
    public long Id { get; set; }
    public required string Target { get; set; }
    public required string Zone { get; set; }
    /// <summary>The zone's answer codes, comma-separated (ZEN can answer several at once).</summary>
    public required string Codes { get; set; }
    public required string Sublists { get; set; }
    public required string Meaning { get; set; }
    public ListingSeverity Severity { get; set; }
    public string? Txt { get; set; }
    public DateTimeOffset ListedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? DelistedAt { get; set; }
    /// <summary>For an IP taken out of sending: its status before, to return it there at delisting.</summary>
    public string? IpStatusBefore { get; set; }
    public string? Action { get; set; }
    public string? DelistAction { get; set; }
}

/// <summary>The last answer of each zone for each target: when it was checked and what it said.</summary>
public sealed class BlocklistCheck
{
    public required string Target { get; set; }
    public required string Zone { get; set; }
    public ListingState State { get; set; }
    public required string Detail { get; set; }
    public DateTimeOffset CheckedAt { get; set; }
}

internal sealed class BlocklistListingConfiguration : IEntityTypeConfiguration<BlocklistListing>
{
    public void Configure(EntityTypeBuilder<BlocklistListing> listing)
    {
        listing.ToTable("blocklist_listings");
        listing.Property(l => l.Target).HasMaxLength(253);
        listing.Property(l => l.Zone).HasMaxLength(40);
        listing.Property(l => l.Codes).HasMaxLength(200);
        listing.Property(l => l.Sublists).HasMaxLength(200);
        listing.Property(l => l.Meaning).HasMaxLength(1000);
        listing.Property(l => l.Txt).HasMaxLength(1000);
        listing.Property(l => l.Severity).HasMaxLength(10).HasLowerCaseConversion();
        listing.Property(l => l.IpStatusBefore).HasMaxLength(16);
        listing.Property(l => l.Action).HasMaxLength(1000);
        listing.Property(l => l.DelistAction).HasMaxLength(1000);
        listing.HasIndex(l => new { l.Target, l.Zone, l.DelistedAt });
    }
}

internal sealed class BlocklistCheckConfiguration : IEntityTypeConfiguration<BlocklistCheck>
{
    public void Configure(EntityTypeBuilder<BlocklistCheck> check)
    {
        check.ToTable("blocklist_checks");
        check.HasKey(c => new { c.Target, c.Zone });
        check.Property(c => c.Target).HasMaxLength(253);
        check.Property(c => c.Zone).HasMaxLength(40);
        check.Property(c => c.State).HasMaxLength(10).HasLowerCaseConversion();
        check.Property(c => c.Detail).HasMaxLength(1000);
    }
}
