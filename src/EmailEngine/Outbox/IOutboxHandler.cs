using EmailEngine.Data;

namespace EmailEngine.Outbox;

public abstract record OutboxResult
{
    public sealed record Done : OutboxResult;
    /// <summary>Transient (remote down, 5xx, timeout, 429): try again later, with backoff or after RetryAfter.</summary>
    public sealed record Retry(string Error, TimeSpan? RetryAfter = null) : OutboxResult;
    /// <summary>Not this message's fault (waiting for another push or for settings): try later without using up an attempt.</summary>
    public sealed record Defer(string Reason, TimeSpan After) : OutboxResult;
    /// <summary>Permanent (remote refused the data): stop, mark failed, wait for a fix or a manual retry.</summary>
    public sealed record Fail(string Error) : OutboxResult;

    public static readonly Done Success = new();
}

/// <summary>Pushes one kind of message. Runs in its own scope with its own <see cref="AppDbContext"/>.</summary>
public interface IOutboxHandler
{
    string Kind { get; }

    /// <summary>Makes the remote side match; may update the resource (remote uid, sync state) through <paramref name="db"/>.</summary>
    Task<OutboxResult> HandleAsync(OutboxMessage message, AppDbContext db, CancellationToken ct);

    /// <summary>Records a failed attempt on the resource's sync state (<paramref name="final"/>: no more retries).</summary>
    Task RecordFailureAsync(OutboxMessage message, AppDbContext db, string error, bool final, CancellationToken ct);

    /// <summary>
    /// How many due messages of one tenant the dispatcher may hand over together (<see cref="HandleManyAsync"/>): more than
    /// one for pushes the remote side takes in bulk.
    /// </summary>
    int GroupSize => 1;

    /// <summary>Several claimed messages of one tenant at once; one result per message, in order.</summary>
    async Task<IReadOnlyList<OutboxResult>> HandleManyAsync(IReadOnlyList<OutboxMessage> messages, AppDbContext db, CancellationToken ct)
    {
        var results = new List<OutboxResult>();
        foreach (var message in messages)
            results.Add(await HandleAsync(message, db, ct));
        return results;
    }
}
