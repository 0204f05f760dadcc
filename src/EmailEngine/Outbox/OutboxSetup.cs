using EmailEngine.Hosting;

namespace EmailEngine.Outbox;

public static class OutboxSetup
{
    /// <summary>
    /// <c>OUTBOX_WORKER=off</c> runs the API without pushing (maintenance, or tests that drain by hand);
    /// <c>OUTBOX_LEASE_SECONDS</c> (120) is how long a crashed worker's claimed messages wait before another takes them;
    /// <c>OUTBOX_RETRY_BASE_MS</c> (2000) and <c>OUTBOX_RETRY_MAX_SECONDS</c> (600) shape the retry backoff;
    /// <c>OUTBOX_POLL_MS</c> (1000) is how often the worker looks for due messages; <c>OUTBOX_GROUP_MAX</c> (1000; 1 = off)
    /// bounds how many pushes of one tenant go in one bulk call.
    /// </summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, EngineSettings settings)
    {
        var options = new OutboxOptions();
        if (int.TryParse(settings.Get("OUTBOX_LEASE_SECONDS"), out var lease) && lease > 0)
            options.Lease = TimeSpan.FromSeconds(lease);
        if (int.TryParse(settings.Get("OUTBOX_RETRY_BASE_MS"), out var baseMs) && baseMs > 0)
            options.BaseDelay = TimeSpan.FromMilliseconds(baseMs);
        if (int.TryParse(settings.Get("OUTBOX_RETRY_MAX_SECONDS"), out var maxSeconds) && maxSeconds > 0)
            options.MaxDelay = TimeSpan.FromSeconds(maxSeconds);
        if (int.TryParse(settings.Get("OUTBOX_POLL_MS"), out var pollMs) && pollMs > 0)
            options.PollInterval = TimeSpan.FromMilliseconds(pollMs);
        if (int.TryParse(settings.Get("OUTBOX_GROUP_MAX"), out var groupMax) && groupMax > 0)
            options.GroupMax = groupMax;
        services.AddSingleton(options);
        services.AddScoped<OutboxWriter>();
        services.AddSingleton<OutboxDispatcher>();
        if (!string.Equals(settings.Get("OUTBOX_WORKER"), "off", StringComparison.OrdinalIgnoreCase))
            services.AddHostedService<OutboxWorker>();
        return services;
    }
}
