using EmailEngine.Data;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>How the last sync of one IP's delivery server ended.</summary>
public enum SyncOutcome
{
    /// <summary>Not tried yet.</summary>
    Pending,
    /// <summary>Quotas and status written.</summary>
    Written,
    /// <summary>No MailWizz server is linked to the IP and none carries its import name.</summary>
    NotLinked,
    /// <summary>Several MailWizz servers carry the IP's import name: link one by hand.</summary>
    Ambiguous,
    /// <summary>The linked server row does not exist (deleted in MailWizz, or a wrong id).</summary>
    Missing,
    /// <summary>The server has a MailWizz warmup plan, which would overwrite our quotas every hour: not written.</summary>
    WarmupPlan,
    /// <summary>The server is being deleted in MailWizz: not revived.</summary>
    PendingDelete,
    /// <summary>The database could not be reached or refused the write: tried again later.</summary>
    Failed,
}

/// <summary>
/// One sending IP's MailWizz delivery server (<c>server_id</c> in MailWizz's <c>delivery_server</c> table) and the last
/// values the sync wrote there. The link is set by hand or found by the server's import name
/// (<see cref="DeliveryServerValues.NameOf"/>), then kept: a renamed server stays linked.
/// </summary>
public sealed class DeliveryServerLink
{
    public long IpId { get; set; }
    public int? ServerId { get; set; }
    public SyncOutcome Outcome { get; set; }
    public string? Detail { get; set; }
    /// <summary>The values last written (null until the first write).</summary>
    public string? WrittenStatus { get; set; }
    public int? WrittenHourlyQuota { get; set; }
    public int? WrittenDailyQuota { get; set; }
    public DateTimeOffset? WrittenAt { get; set; }
    public DateTimeOffset? AttemptedAt { get; set; }
    /// <summary>Problems in a row since the last write; the wait before the next try doubles with them.</summary>
    public int Failures { get; set; }
    /// <summary>When the sync looks at this server again even if nothing changed (a day after a write).</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public bool Wrote(DeliveryServerValues values) => WrittenStatus == values.Status && WrittenHourlyQuota == values.HourlyQuota
        && WrittenDailyQuota == values.DailyQuota;
}

internal sealed class DeliveryServerLinkConfiguration : IEntityTypeConfiguration<DeliveryServerLink>
{
    public void Configure(EntityTypeBuilder<DeliveryServerLink> link)
    {
        link.ToTable("mailwizz_delivery_servers");
        link.HasKey(l => l.IpId);
        link.HasOne<SendingIp>().WithOne().HasForeignKey<DeliveryServerLink>(l => l.IpId).OnDelete(DeleteBehavior.Cascade);
        link.HasIndex(l => l.ServerId).IsUnique();
        link.Property(l => l.Outcome).HasMaxLength(16).HasLowerCaseConversion();
        link.Property(l => l.Detail).HasMaxLength(1000);
        link.Property(l => l.WrittenStatus).HasMaxLength(15);
    }
}
