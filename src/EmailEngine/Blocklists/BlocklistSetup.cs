using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Blocklists;

public static class BlocklistSetup
{
    public static IServiceCollection AddBlocklists(this IServiceCollection services, EngineSettings settings)
    {
        var options = BlocklistOptions.From(settings);
        services.AddSingleton(options);
        // Answers are cached for their TTL: a sweep over many IPs asks each zone's test points once.
        services.AddSingleton(sp => new BlocklistChecker(sp.GetRequiredService<DnsServers>().Client(TimeSpan.FromSeconds(3), retries: 1, cacheByTtl: true)));
        services.AddScoped<BlocklistMonitor>();
        if (options.Monitor)
            services.AddHostedService<BlocklistWorker>();
        return services;
    }
}

/// <summary>Every <c>BLOCKLIST_CHECK_SECONDS</c>, sweeps the targets that are due (state lives in the database).</summary>
internal sealed class BlocklistWorker(IServiceScopeFactory scopes, DatabaseMigrator migrator, BlocklistOptions options, TimeProvider clock,
    ILogger<BlocklistWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.CheckInterval;

    protected override string RoundName => "Blocklist sweep";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<BlocklistMonitor>().SweepAsync(everything: false, ct);
    }
}
