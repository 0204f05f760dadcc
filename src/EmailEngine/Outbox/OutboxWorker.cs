using EmailEngine.Data;

namespace EmailEngine.Outbox;

/// <summary>Thin shell: waits until the schema is current, then drains the outbox on a timer.</summary>
internal sealed class OutboxWorker(OutboxDispatcher dispatcher, DatabaseMigrator migrator, OutboxOptions options,
    TimeProvider clock, ILogger<OutboxWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PollInterval, clock);
        do
        {
            try
            {
                if ((await migrator.GetStatusAsync(stoppingToken)).UpToDate)
                    await dispatcher.DrainAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Database blips must not kill the worker; the next tick tries again.
                logger.LogError(e, "Outbox dispatch failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
