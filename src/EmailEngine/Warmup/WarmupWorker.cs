using EmailEngine.Data;

namespace EmailEngine.Warmup;

/// <summary>
/// Thin shell: every <c>WARMUP_CHECK_SECONDS</c> (60), once the schema is current, takes the decisions that are due.
/// State lives in the database (each IP's last decided period), so a restart neither skips nor repeats a day.
/// </summary>
internal sealed class WarmupWorker(IServiceScopeFactory scopes, DatabaseMigrator migrator, WarmupOptions options, TimeProvider clock,
    ILogger<WarmupWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CheckInterval, clock);
        string? lastSkip = null;
        do
        {
            try
            {
                if (!(await migrator.GetStatusAsync(stoppingToken)).UpToDate)
                    continue;
                await using var scope = scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<WarmupEngine>().RunDueAsync(stoppingToken);
                if (result.Skipped is { } skipped && skipped != lastSkip)
                    logger.LogWarning("Warmup run skipped: {Reason}", skipped);
                lastSkip = result.Skipped;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Warmup run failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
