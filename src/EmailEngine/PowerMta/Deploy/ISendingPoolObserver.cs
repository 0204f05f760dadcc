namespace EmailEngine.PowerMta.Deploy;

/// <summary>
/// Whatever feeds PowerMTA's sending pool and must stop handing mail over while the pool is empty (MailWizz's
/// campaigns: <see cref="Campaigns.SendingHold"/>). Told before a config with an empty pool goes live, after any
/// config is live, and on every reconcile tick.
/// </summary>
public interface ISendingPoolObserver
{
    /// <summary>
    /// A config is about to go live: stop handing over the mail it will not serve first (all of it when
    /// <paramref name="poolEmpty"/>).
    /// </summary>
    Task<PausesBeforeLive> BeforeGoingLiveAsync(bool poolEmpty, CancellationToken ct);

    /// <summary>Aligns with the pool that is live now (the last successful deployment).</summary>
    Task AlignAsync(CancellationToken ct);

    /// <summary>Whether the feeders are held now.</summary>
    Task<bool> IsHeldAsync(CancellationToken ct);
}

/// <summary>
/// What <see cref="ISendingPoolObserver.BeforeGoingLiveAsync"/> did: how many feeders it asked to stop, and how many
/// that should have stopped had not confirmed it when the config went ahead (their mail is refused until they do).
/// </summary>
public sealed record PausesBeforeLive(int Queued, int NotYetPaused);
