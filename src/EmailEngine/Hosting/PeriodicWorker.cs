using EmailEngine.Data;

namespace EmailEngine.Hosting;

/// <summary>
/// The shell of the engine's background loops: every <see cref="Interval"/> (0 or less: off), once the schema is
/// current, one round of <see cref="RunRoundAsync"/>; a failed round is logged and the next tick tries again, so a
/// database or network blip never stops the loop. State lives in the database, not here.
/// </summary>
internal abstract class PeriodicWorker(DatabaseMigrator migrator, TimeProvider clock, ILogger logger) : BackgroundService
{
    protected ILogger Logger => logger;

    protected TimeProvider Clock => clock;

    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether the first round runs at start (otherwise one interval after it).</summary>
    protected virtual bool RunsAtStart => true;

    /// <summary>What a round does, for the log line of a failed one ("Accounting pull").</summary>
    protected abstract string RoundName { get; }

    protected abstract Task RunRoundAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (Interval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            if (!RunsAtStart && !await timer.WaitForNextTickAsync(stoppingToken))
                return;
            do
            {
                try
                {
                    if ((await migrator.GetStatusAsync(stoppingToken)).UpToDate)
                        await RunRoundAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "{Round} failed", RoundName);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping ends the loop; it is not its failure. When the host could not start (its port taken), the host
            // logged this cancellation as a failed background service beside the one error that mattered.
        }
    }
}
