using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Outbox;

public enum SyncStatus { Pending, Synced, Failed }

/// <summary>
/// Where a resource stands with MailWizz, stored on the resource itself (owned columns) and shown by the API as
/// <c>sync: {status, attempts, last_error, remote_uid, synced_at}</c>.
/// </summary>
public sealed class SyncState
{
    public SyncStatus Status { get; set; } = SyncStatus.Pending;
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    /// <summary>MailWizz's uid (template_uid, campaign_uid, list_uid, subscriber_uid) once created there.</summary>
    public string? RemoteUid { get; set; }
    public DateTimeOffset? SyncedAt { get; set; }

    public void MarkPending()
    {
        Status = SyncStatus.Pending;
        Attempts = 0;
        LastError = null;
    }

    /// <summary>MailWizz lost the resource: forget its uid, so its next push looks it up by name or creates it again.</summary>
    public void MarkGone(string note)
    {
        RemoteUid = null;
        Status = SyncStatus.Pending;
        LastError = note;
    }
}

public sealed record SyncResponse(string Status, int Attempts, string? LastError, string? RemoteUid, DateTimeOffset? SyncedAt)
{
    public static SyncResponse From(SyncState s) =>
        new(s.Status.ToString().ToLowerInvariant(), s.Attempts, s.LastError, s.RemoteUid, s.SyncedAt);
}

public static class SyncStateMapping
{
    /// <summary>Maps a resource's <see cref="SyncState"/> to <c>{prefix}_*</c> columns (required, never null).</summary>
    public static void OwnsSyncState<T>(this EntityTypeBuilder<T> entity,
        System.Linq.Expressions.Expression<Func<T, SyncState?>> navigation, string prefix = "sync")
        where T : class
    {
        entity.OwnsOne(navigation!, sync =>
        {
            sync.Property(s => s.Status).HasColumnName($"{prefix}_status").HasMaxLength(16)
                .HasLowerCaseConversion();
            sync.Property(s => s.Attempts).HasColumnName($"{prefix}_attempts");
            sync.Property(s => s.LastError).HasColumnName($"{prefix}_last_error").HasMaxLength(2000);
            sync.Property(s => s.RemoteUid).HasColumnName($"{prefix}_remote_uid").HasMaxLength(64);
            sync.Property(s => s.SyncedAt).HasColumnName($"{prefix}_synced_at");
        });
        entity.Navigation(navigation!).IsRequired();
    }
}
