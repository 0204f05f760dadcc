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
    /// Handlers reconcile from current state, so an older message for the same resource that has not started
    /// (or that failed) is superseded by this one rather than run first.
    /// </summary>
    public Task EnqueueAsync(string kind, string resourceKey, long? tenantId, string payload = "{}", CancellationToken ct = default) =>
        EnqueueManyAsync(kind, [new OutboxItem(resourceKey, tenantId, payload)], ct);

    /// <summary>Queues many messages of one kind with one superseding query per thousand (bulk producers such as accounting ingest).</summary>
    public async Task EnqueueManyAsync(string kind, IReadOnlyList<OutboxItem> items, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        foreach (var keys in items.Select(i => i.ResourceKey).Distinct().Chunk(1000))
        {
            var stale = await db.Set<OutboxMessage>()
                .Where(m => keys.Contains(m.ResourceKey) && m.Kind == kind
                    && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Failed))
                .ToListAsync(ct);
            foreach (var message in stale)
            {
                message.Status = OutboxStatus.Done;
                message.LastError = "superseded by a newer change";
                message.ProcessedAt = now;
            }
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
        await db.SaveChangesAsync(ct);
        await enqueue(ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
