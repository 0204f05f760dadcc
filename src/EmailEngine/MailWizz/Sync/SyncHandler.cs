using EmailEngine.Data;
using EmailEngine.Outbox;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Common shape of the MailWizz pushes: refuse politely while MailWizz is not configured, map client errors to
/// retry/fail, and keep the resource's visible sync state in step with the outbox message.
/// </summary>
public abstract class SyncHandler(MailWizzOptions options, TimeProvider clock) : IOutboxHandler
{
    public abstract string Kind { get; }

    protected TimeProvider Clock => clock;

    protected MailWizzOptions Options => options;

    protected bool MailWizzConfigured => options.IsConfigured;

    public Task<OutboxResult> HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        options.IsConfigured
            ? PushAsync(message, db, ct)
            : Task.FromResult<OutboxResult>(new OutboxResult.Defer("MailWizz is not configured: set MAILWIZZ_URL and MAILWIZZ_API_KEY", TimeSpan.FromMinutes(1)));

    protected abstract Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct);

    /// <summary>The sync state shown on the resource this message is about (null when the resource is gone).</summary>
    protected abstract Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct);

    public async Task RecordFailureAsync(OutboxMessage message, AppDbContext db, string error, bool final, CancellationToken ct)
    {
        if (await FindSyncStateAsync(message, db, ct) is not { } sync)
            return;
        sync.Status = final ? SyncStatus.Failed : SyncStatus.Pending;
        sync.Attempts = message.Attempts;
        sync.LastError = error;
    }

    protected void MarkSynced(SyncState sync, string remoteUid, OutboxMessage message)
    {
        sync.Status = SyncStatus.Synced;
        sync.RemoteUid = remoteUid;
        sync.Attempts = message.Attempts;
        sync.LastError = null;
        sync.SyncedAt = clock.GetUtcNow();
    }

    /// <summary>Transient and auth problems are retried (an operator can fix a key); data MailWizz refuses is final.</summary>
    protected static OutboxResult FromError(MailWizzError error, string doing) => SyncHandlerErrors.From(error, doing);

    /// <summary>
    /// Waiting on another resource's push: poll it quickly while it is pending, slowly once it has failed (it needs
    /// a fix or a manual retry first), without using up this message's attempts.
    /// </summary>
    protected static OutboxResult WaitFor(SyncState other, string what) => other.Status == SyncStatus.Failed
        ? new OutboxResult.Defer($"waiting for {what}, whose push failed: {other.LastError}", TimeSpan.FromMinutes(1))
        : new OutboxResult.Defer($"waiting for {what} to reach MailWizz", TimeSpan.FromSeconds(1));

    protected static long IdFromKey(OutboxMessage message) => long.Parse(message.ResourceKey[(message.ResourceKey.IndexOf(':') + 1)..]);
}
