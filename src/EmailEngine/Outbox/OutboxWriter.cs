using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Outbox;

/// <summary>
/// Queues a push in the caller's unit of work: nothing is saved here, so the caller's <c>SaveChanges</c> commits
/// the change and its push together (or neither).
/// </summary>
public sealed class OutboxWriter(AppDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Handlers reconcile from current state, so an older message for the same resource that has not started
    /// (or that failed) is superseded by this one rather than run first.
    /// </summary>
    public async Task EnqueueAsync(string kind, string resourceKey, long? tenantId, string payload = "{}", CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var stale = await db.Set<OutboxMessage>()
            .Where(m => m.ResourceKey == resourceKey && m.Kind == kind
                && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Failed))
            .ToListAsync(ct);
        foreach (var message in stale)
        {
            message.Status = OutboxStatus.Done;
            message.LastError = "superseded by a newer change";
            message.ProcessedAt = now;
        }
        db.Add(new OutboxMessage
        {
            Kind = kind, ResourceKey = resourceKey, TenantId = tenantId, Payload = payload, CreatedAt = now, NextAttemptAt = now,
        });
    }

    /// <summary>
    /// Saves the pending changes and the pushes <paramref name="enqueue"/> queues in one transaction; the pushes are
    /// queued after a first save so they can name the ids the database just assigned.
    /// </summary>
    public async Task SaveWithPushAsync(Func<CancellationToken, Task> enqueue, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await enqueue(ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
