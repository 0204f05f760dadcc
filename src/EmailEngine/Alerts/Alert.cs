using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Alerts;

public enum AlertState { Open, Resolved }

public enum NotificationKind { Raised, Reminder, Resolved, Escalated }

/// <summary>
/// One cause that needs the operator, open from the first time it is seen until it clears: a blocklist listing, a
/// checker error, a health check that is not healthy. <see cref="Key"/> names the cause (<c>blocklist:203.0.113.5:spamhaus-zen</c>,
/// <c>health:outbox</c>), so a cause seen again is the same alert, never a new message.
/// </summary>
public sealed class Alert
{
    public long Id { get; set; }
    public required string Key { get; set; }
    public AlertSeverity Severity { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public AlertState State { get; set; }
    public DateTimeOffset OpenedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset? RemindedAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public int Occurrences { get; set; }
    public List<AlertNotification> Notifications { get; set; } = [];
}

/// <summary>
/// A message to send about an alert (raised, reminder, escalated, resolved), kept until every channel routed for its
/// severity has taken it: an outage of Telegram or the SMTP server delays an alert, never loses it.
/// </summary>
public sealed class AlertNotification
{
    public long Id { get; set; }
    public long AlertId { get; set; }
    public Alert Alert { get; set; } = null!;
    public NotificationKind Kind { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    /// <summary>Channels that took it, comma-separated: a retry goes only to the others.</summary>
    public string DeliveredTo { get; set; } = "";
    public string? LastError { get; set; }
}

internal sealed class AlertConfiguration : IEntityTypeConfiguration<Alert>
{
    public void Configure(EntityTypeBuilder<Alert> alert)
    {
        alert.ToTable("alerts");
        alert.Property(a => a.Key).HasMaxLength(300);
        alert.Property(a => a.Severity).HasMaxLength(10).HasLowerCaseConversion();
        alert.Property(a => a.State).HasMaxLength(10).HasLowerCaseConversion();
        alert.Property(a => a.Title).HasMaxLength(300);
        alert.Property(a => a.Body).HasMaxLength(4000);
        alert.HasIndex(a => new { a.Key, a.State });
        alert.HasMany(a => a.Notifications).WithOne(n => n.Alert).HasForeignKey(n => n.AlertId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class AlertNotificationConfiguration : IEntityTypeConfiguration<AlertNotification>
{
    public void Configure(EntityTypeBuilder<AlertNotification> notification)
    {
        notification.ToTable("alert_notifications");
        notification.Property(n => n.Kind).HasMaxLength(10).HasLowerCaseConversion();
        notification.Property(n => n.DeliveredTo).HasMaxLength(100);
        notification.Property(n => n.LastError).HasMaxLength(1000);
        notification.HasIndex(n => new { n.SentAt, n.NextAttemptAt });
    }
}
