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
        options.Lease = TimeSpan.FromSeconds(settings.Whole("OUTBOX_LEASE_SECONDS", (int)options.Lease.TotalSeconds, min: 1));
        options.BaseDelay = TimeSpan.FromMilliseconds(settings.Whole("OUTBOX_RETRY_BASE_MS", (int)options.BaseDelay.TotalMilliseconds, min: 1));
        options.MaxDelay = TimeSpan.FromSeconds(settings.Whole("OUTBOX_RETRY_MAX_SECONDS", (int)options.MaxDelay.TotalSeconds, min: 1));
        options.PollInterval = TimeSpan.FromMilliseconds(settings.Whole("OUTBOX_POLL_MS", (int)options.PollInterval.TotalMilliseconds, min: 1));
        options.GroupMax = settings.Whole("OUTBOX_GROUP_MAX", options.GroupMax, min: 1);
        services.AddSingleton(options);
        services.AddScoped<OutboxWriter>();
        services.AddSingleton<OutboxDispatcher>();
        if (settings.Switch("OUTBOX_WORKER", true))
            services.AddHostedService<OutboxWorker>();
        return services;
    }
}
