using EmailEngine.Hosting;
using EmailEngine.Ips;

namespace EmailEngine.Dkim;

public static class DkimSetup
{
    /// <summary>
    /// Sending domains, their keys (the vault under <c>DKIM_MASTER_KEY</c>), DNS verification and the periodic DNS check
    /// with its health check (<c>dns</c> in <c>/health/details</c>).
    /// </summary>
    public static IServiceCollection AddDkim(this IServiceCollection services, EngineSettings settings)
    {
        var dkimVault = DkimVault.From(settings);
        services.AddSingleton(sp => dkimVault(sp.GetRequiredService<ILogger<DkimVault>>()));
        services.AddSingleton(DkimOptions.From(settings));
        services.AddSingleton(Common.DnsServers.From(settings));
        services.AddSingleton<DnsVerifier>();
        services.AddSingleton<IDkimKeyPairs, FreshDkimKeyPairs>();
        services.AddScoped<DomainRegistry>();
        services.AddScoped<ISendingDomainSetup>(provider => provider.GetRequiredService<DomainRegistry>());
        services.AddHealthChecks().AddCheck<DnsHealthCheck>("dns");
        services.AddSingleton(DnsCheckOptions.From(settings));
        services.AddSingleton<DnsHealthMemory>();
        services.AddScoped<DnsHealthSweep>();
        services.AddHostedService<DnsHealthWorker>();
        return services;
    }
}
