using EmailEngine.Hosting;
using EmailEngine.Ips;

namespace EmailEngine.Warmup;

public static class WarmupSetup
{
    /// <summary>
    /// The engine reads outcomes through <see cref="IWarmupOutcomes"/>, implemented over the accounting stats
    /// (<c>DeliveryStatsQuery</c>, registered with the deliverability module). <c>WARMUP_WORKER=off</c>
    /// leaves decisions to <c>email-engine warmup run</c> / <c>POST /api/v1/warmup/run</c>.
    /// </summary>
    public static IServiceCollection AddWarmup(this IServiceCollection services, EngineSettings settings)
    {
        var options = WarmupOptions.From(settings);
        services.AddSingleton(options);
        services.AddScoped<PowerMta.IVmtaLimitsSource, WarmupVmtaLimits>();
        services.AddScoped<WarmupDeployment>();
        services.AddScoped<IIpWarmups, IpWarmupSummaries>();
        services.AddScoped<WarmupEngine>();
        services.AddScoped<SendingCapacity>();
        services.AddScoped<Accounting.IDeferralObserver>(sp => sp.GetRequiredService<SendingCapacity>());
        services.AddHostedService<AdmissionPump>();
        if (options.Worker)
            services.AddHostedService<WarmupWorker>();
        return services;
    }
}
