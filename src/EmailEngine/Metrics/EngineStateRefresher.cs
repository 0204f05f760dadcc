using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Metrics;

/// <summary>
/// Reads the state behind the gauges every <c>METRICS_REFRESH_SECONDS</c> of real time (scrapes are real time, also in a
/// simulation), so a scrape costs no query.
/// </summary>
internal sealed class EngineStateRefresher(IServiceScopeFactory scopes, EngineStateCache cache, MetricsOptions options, DatabaseMigrator migrator,
    ILogger<EngineStateRefresher> logger) : PeriodicWorker(migrator, TimeProvider.System, logger)
{
    protected override TimeSpan Interval => options.Refresh;

    protected override string RoundName => "Metrics state refresh";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        cache.Set(await scope.ServiceProvider.GetRequiredService<EngineStateReader>().ReadAsync(ct));
    }
}
