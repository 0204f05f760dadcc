using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Outbox;

public sealed record OutboxItem(string ResourceKey, long? TenantId, string Payload = "{}");

/// <summary>
/// Queues a push in the caller's unit of work: nothing is saved here, so the caller's <c>SaveChanges</c> commits
/// the change and its push together (or neither).
/// </summary>
public sealed class OutboxWriter(AppDbContext db, TimeProvider clock)
{
    /// <summary>
    /// Handlers reconcile from current state, so an older message for the same resource that has not started is skipped
    /// when its turn comes (<see cref="OutboxDispatcher"/>) rather than run first; it is made due now so that a retry
    /// delay of its own does not hold this one back. It is not marked done here: a worker may be claiming it at this
    /// very moment, and marking it would let this one run alongside it.
    /// </summary>
    public Task EnqueueAsync(string kind, string resourceKey, long? tenantId, string payload = "{}", CancellationToken ct = default) =>
        EnqueueManyAsync(kind, [new OutboxItem(resourceKey, tenantId, payload)], ct);

    /// <summary>Queues many messages of one kind with one query per thousand (bulk producers such as accounting ingest).</summary>
    public async Task EnqueueManyAsync(string kind, IReadOnlyList<OutboxItem> items, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        foreach (var keys in items.Select(i => i.ResourceKey).Distinct().Chunk(1000))
        {
            var older = await db.Set<OutboxMessage>()
                .Where(m => keys.Contains(m.ResourceKey) && m.Kind == kind && m.Status == OutboxStatus.Pending && m.NextAttemptAt > now)
                .ToListAsync(ct);
            foreach (var message in older)
                message.NextAttemptAt = now; // only this column is written: a concurrent claim keeps its status
        }
        EnqueueUnique(kind, items);
    }

    /// <summary>
    /// Queues messages whose resource keys are new (e.g. one per webhook delivery): there is nothing older to supersede,
    /// so no query is made.
    /// </summary>
    public void EnqueueUnique(string kind, IReadOnlyList<OutboxItem> items)
    {
        var now = clock.GetUtcNow();
        foreach (var item in items)
            db.Add(new OutboxMessage
            {
                Kind = kind, ResourceKey = item.ResourceKey, TenantId = item.TenantId, Payload = item.Payload, CreatedAt = now, NextAttemptAt = now,
            });
    }

    /// <summary>
    /// Saves the pending changes and the pushes <paramref name="enqueue"/> queues in one transaction; the pushes are
    /// queued after a first save so they can name the ids the database just assigned.
    /// </summary>
    public async Task SaveWithPushAsync(Func<CancellationToken, Task> enqueue, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // A failed save abandons the whole transaction, so EF's savepoint around each save would only cost two round
        // trips per save (on intake, four of a contact's eleven).
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(ct);
            await enqueue(ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = true;
        }
    }
}
