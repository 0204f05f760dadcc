namespace EmailEngine.Accounting;

/// <summary>
/// Told of the deferrals (<c>t</c> records) of each ingested batch, inside the batch's transaction: a retry takes a turn
/// of its pool's pace, so admission counts it (implemented by the warmup's sending capacity).
/// </summary>
public interface IDeferralObserver
{
    /// <summary>Writes in the caller's transaction: the batch commits its deferrals' charge with its records, once.</summary>
    Task DeferredAsync(IReadOnlyList<(DateTimeOffset At, string Vmta, string Domain)> deferrals, DateTimeOffset now, CancellationToken ct);
}
