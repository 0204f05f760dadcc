using EmailEngine.Hosting;

namespace EmailEngine.PowerMta.Status;

public static class PmtaStatusSetup
{
    /// <summary>The poller and its memory always (the <c>powermta-status</c> health check and the gauges read it); the worker when <c>PMTA_STATUS_SECONDS</c> is not 0.</summary>
    public static IServiceCollection AddPmtaStatus(this IServiceCollection services, EngineSettings settings)
    {
        var options = PmtaStatusOptions.From(settings);
        services.AddSingleton(options);
        services.AddSingleton<PmtaStatusMemory>();
        services.AddSingleton<PmtaStatusReader>();
        services.AddHttpClient(PmtaStatusReader.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(10));
        services.AddScoped<PmtaStatusPoller>();
        if (options.Enabled)
            services.AddHostedService<PmtaStatusWorker>();
        return services;
    }
}
