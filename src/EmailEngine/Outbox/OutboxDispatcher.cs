using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Metrics;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Outbox;

/// <summary>
/// Claims due messages and runs their handlers. On PostgreSQL several engine instances share the table: claims use
/// <c>FOR UPDATE SKIP LOCKED</c> plus a lease, so each message runs once at a time and a dead worker's messages come
/// back after the lease. On SQLite a single worker runs (one process owns the file). Due messages are taken oldest
/// due time first, so a message that keeps deferring cannot starve the one it waits for.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes, DatabaseTarget database, OutboxOptions options, TimeProvider clock, ILogger<OutboxDispatcher> logger,
    EngineMetrics metrics)
{
    /// <summary>Runs one batch; returns how many messages were handled (0 = nothing due).</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        var claimed = await ClaimAsync(ct);
        if (claimed.Count == 0)
            return 0;
        using var span = EngineMetrics.Tracing.StartActivity("outbox.batch");
        span?.SetTag("outbox.claimed", claimed.Count);
        await Parallel.ForEachAsync(Units(claimed), new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
            async (unit, token) => await ProcessAsync(unit, token));
        return claimed.Count;
    }

    /// <summary>A claimed message: what the dispatcher needs to group it with others.</summary>
    public sealed record Claimed(long Id, string Kind, long? TenantId);

    /// <summary>
    /// The claimed messages as units of work: one message each, except for kinds whose handler takes several of one
    /// tenant at once (<see cref="IOutboxHandler.GroupSize"/>), which are grouped (different resources by construction:
    /// a claim never holds two messages of one resource).
    /// </summary>
    private IEnumerable<long[]> Units(IReadOnlyList<Claimed> claimed) =>
        claimed.GroupBy(m => GroupSizes.ContainsKey(m.Kind) ? (m.Kind, m.TenantId, Single: 0L) : (m.Kind, m.TenantId, Single: m.Id))
            .SelectMany(g => g.OrderBy(m => m.Id).Select(m => m.Id).Chunk(GroupSizes.GetValueOrDefault(g.Key.Kind, 1)));

    /// <summary>The kinds whose messages are handed over in groups, and the largest group: fixed for the process.</summary>
    private Dictionary<string, int> GroupSizes => _groupSizes ??= GroupSizesOfHandlers();

    private Dictionary<string, int>? _groupSizes;

    private Dictionary<string, int> GroupSizesOfHandlers()
    {
        using var scope = scopes.CreateScope();
        return scope.ServiceProvider.GetServices<IOutboxHandler>().Select(h => (h.Kind, Size: Math.Min(h.GroupSize, options.GroupMax)))
            .Where(h => h.Size > 1).ToDictionary(h => h.Kind, h => h.Size);
    }

    /// <summary>
    /// On SQLite one process owns the file, so a claim still held when its worker starts was left by a process that
    /// died mid-push: it is released now rather than when its lease ends (<c>OUTBOX_LEASE_SECONDS</c>). On PostgreSQL
    /// another live instance may hold it, and only the lease tells.
    /// </summary>
    public async Task<int> ReleaseClaimsOfStoppedProcessAsync(CancellationToken ct)
    {
        if (database.Provider != DatabaseProvider.Sqlite)
            return 0;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var expired = clock.GetUtcNow().AddSeconds(-1);
        var released = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Processing && m.LockedUntil > expired)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LockedUntil, expired), ct);
        if (released > 0)
            logger.LogInformation("Outbox: {Count} message(s) claimed by a stopped engine released to run again", released);
        return released;
    }

    /// <summary>Runs batches until nothing is due (tests and the CLI use this to drain the queue).</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        var total = 0;
        for (int handled; (handled = await DispatchBatchAsync(ct)) > 0;)
            total += handled;
        return total;
    }

    private async Task<IReadOnlyList<Claimed>> ClaimAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = clock.GetUtcNow();
        var lease = now + options.Lease;
        if (database.Provider == DatabaseProvider.Postgres)
        {
            return await db.Database.SqlQuery<Claimed>($"""
                UPDATE outbox_messages SET status = 'processing', locked_until = {lease}, attempts = attempts + 1
                WHERE id IN (
                    SELECT m.id FROM outbox_messages m
                    WHERE ((m.status = 'pending' AND m.next_attempt_at <= {now}) OR (m.status = 'processing' AND m.locked_until < {now}))
                      AND NOT EXISTS (SELECT 1 FROM outbox_messages e WHERE e.resource_key = m.resource_key AND e.id < m.id
                                      AND e.status IN ('pending', 'processing'))
                    ORDER BY m.next_attempt_at, m.id
                    LIMIT {options.BatchSize}
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, kind, tenant_id
                """).ToListAsync(ct);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var messages = db.Set<OutboxMessage>();
        var due = await messages
            .Where(m => (m.Status == OutboxStatus.Pending && m.NextAttemptAt <= now) || (m.Status == OutboxStatus.Processing && m.LockedUntil < now))
            .Where(m => !messages.Any(e => e.ResourceKey == m.ResourceKey && e.Id < m.Id
                && (e.Status == OutboxStatus.Pending || e.Status == OutboxStatus.Processing)))
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Take(options.BatchSize).ToListAsync(ct);
        foreach (var message in due)
        {
            message.Status = OutboxStatus.Processing;
            message.LockedUntil = lease;
            message.Attempts++;
        }
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return due.Select(m => new Claimed(m.Id, m.Kind, m.TenantId)).ToList();
    }

    private async Task ProcessAsync(long[] ids, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var messages = new List<OutboxMessage>();
        foreach (var message in await db.Set<OutboxMessage>().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct))
            if (!await SupersededAsync(message, db, ct))
                messages.Add(message);
        if (messages.Count == 0)
            return;
        IReadOnlyList<OutboxResult> results;
        var handler = scope.ServiceProvider.GetServices<IOutboxHandler>().FirstOrDefault(h => h.Kind == messages[0].Kind);
        if (handler is null)
            results = messages.Select(m => (OutboxResult)new OutboxResult.Fail($"no handler for '{m.Kind}'")).ToList();
        else
        {
            try
            {
                results = messages.Count == 1 ? [await handler.HandleAsync(messages[0], db, ct)] : await handler.HandleManyAsync(messages, db, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A handler bug must not wedge the queue: log it, and retry like a transient failure.
                logger.LogError(e, "Outbox handler {Kind} failed on message(s) {Ids}", messages[0].Kind, string.Join(",", messages.Select(m => m.Id)));
                db.ChangeTracker.Clear();
                var keep = messages.Select(m => m.Id).ToList();
                messages = await db.Set<OutboxMessage>().Where(m => keep.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync(ct);
                results = messages.Select(_ => (OutboxResult)new OutboxResult.Retry($"internal error: {e.GetType().Name}")).ToList();
            }
        }
        try
        {
            var outcomes = new string[messages.Count];
            for (var i = 0; i < messages.Count; i++)
                outcomes[i] = await RecordAsync(messages[i], handler, results[i], db, ct);
            await db.SaveChangesAsync(ct);
            foreach (var outcome in outcomes)
                metrics.OutboxHandled(messages[0].Kind, outcome);
        }
        catch (DbUpdateException e)
        {
            // The handler's changes collided with a concurrent one (e.g. two pushes adding the same list row):
            // drop them and run the messages again shortly; they reconcile from current state.
            logger.LogWarning("Outbox {Kind} {Keys}: could not save the result ({Error}); retrying", messages[0].Kind,
                string.Join(", ", messages.Select(m => m.ResourceKey)), e.InnerException?.Message ?? e.Message);
            db.ChangeTracker.Clear();
            var keep = messages.Select(m => m.Id).ToList();
            foreach (var fresh in await db.Set<OutboxMessage>().Where(m => keep.Contains(m.Id)).ToListAsync(ct))
            {
                fresh.Status = OutboxStatus.Pending;
                fresh.LockedUntil = null;
                fresh.Attempts = Math.Max(0, fresh.Attempts - 1);
                fresh.NextAttemptAt = clock.GetUtcNow() + TimeSpan.FromSeconds(1);
            }
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>
    /// A newer message for the same resource is queued: handlers reconcile from current state, so that one does this
    /// one's work. Decided here, by the worker that owns the claim, never by the producer (see <see cref="OutboxWriter"/>).
    /// </summary>
    private async Task<bool> SupersededAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        if (!await db.Set<OutboxMessage>().AnyAsync(m => m.ResourceKey == message.ResourceKey && m.Kind == message.Kind
                && m.Id > message.Id && m.Status == OutboxStatus.Pending, ct))
            return false;
        message.Status = OutboxStatus.Done;
        message.LockedUntil = null;
        message.ProcessedAt = clock.GetUtcNow();
        message.LastError = Superseded;
        await db.SaveChangesAsync(ct);
        metrics.OutboxHandled(message.Kind, "superseded");
        return true;
    }

    public const string Superseded = "superseded by a newer change";

    /// <returns>What became of the message, for the metrics: done, deferred, retry or failed.</returns>
    private async Task<string> RecordAsync(OutboxMessage message, IOutboxHandler? handler, OutboxResult result, AppDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        message.LockedUntil = null;
        switch (result)
        {
            case OutboxResult.Done:
                message.Status = OutboxStatus.Done;
                message.ProcessedAt = now;
                message.LastError = null;
                // Older pushes of this resource that gave up are moot now that its current state is in MailWizz.
                await db.Set<OutboxMessage>().Where(m => m.ResourceKey == message.ResourceKey && m.Kind == message.Kind
                        && m.Id < message.Id && m.Status == OutboxStatus.Failed)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.Status, OutboxStatus.Done).SetProperty(m => m.LastError, Superseded), ct);
                return "done";
            case OutboxResult.Defer defer:
                message.Status = OutboxStatus.Pending;
                message.Attempts--; // the claim counted an attempt; waiting is not one
                message.LastError = Truncate(defer.Reason);
                message.NextAttemptAt = now + defer.After;
                if (handler is not null)
                    await handler.RecordFailureAsync(message, db, message.LastError, final: false, ct);
                return "deferred";
            case OutboxResult.Retry retry when message.Attempts < options.MaxAttempts:
                message.Status = OutboxStatus.Pending;
                message.LastError = Truncate(retry.Error);
                message.NextAttemptAt = now + (retry.RetryAfter ?? options.DelayAfter(message.Attempts));
                if (handler is not null)
                    await handler.RecordFailureAsync(message, db, message.LastError, final: false, ct);
                logger.LogWarning("Outbox {Kind} {Key}: attempt {Attempt} failed, retrying at {Next:u}: {Error}",
                    message.Kind, message.ResourceKey, message.Attempts, message.NextAttemptAt, message.LastError);
                return "retry";
            default:
                var error = result switch { OutboxResult.Retry r => r.Error, OutboxResult.Fail f => f.Error, _ => "unknown" };
                message.Status = OutboxStatus.Failed;
                message.ProcessedAt = now;
                message.LastError = Truncate(error);
                if (handler is not null)
                    await handler.RecordFailureAsync(message, db, message.LastError, final: true, ct);
                logger.LogError("Outbox {Kind} {Key}: failed after {Attempts} attempt(s): {Error}",
                    message.Kind, message.ResourceKey, message.Attempts, message.LastError);
                return "failed";
        }
    }

    private static string Truncate(string text) => text.Length <= 2000 ? text : text[..2000];
}
