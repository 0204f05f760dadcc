using EmailEngine.Hosting;

namespace EmailEngine.Outbox;

public static class OutboxSetup
{
    /// <summary><c>OUTBOX_WORKER=off</c> runs the API without pushing (maintenance, or tests that drain by hand).</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(new OutboxOptions());
        services.AddScoped<OutboxWriter>();
        services.AddSingleton<OutboxDispatcher>();
        if (!string.Equals(settings.Get("OUTBOX_WORKER"), "off", StringComparison.OrdinalIgnoreCase))
            services.AddHostedService<OutboxWorker>();
        return services;
    }
}
