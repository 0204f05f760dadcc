using EmailEngine.Hosting;

namespace EmailEngine.Alerts;

public static class AlertCenterSetup
{
    public static IServiceCollection AddAlertCenter(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(AlertPolicy.From(settings));
        services.AddScoped<AlertCenter>();
        return services;
    }
}
