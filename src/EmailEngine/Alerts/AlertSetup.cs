using EmailEngine.Hosting;

namespace EmailEngine.Alerts;

public static class AlertSetup
{
    /// <summary>
    /// The alert store (<see cref="AlertCenter"/>), the configured channels, the sender and the worker. The channels'
    /// HTTP clients log nothing: Telegram's URL holds the bot token.
    /// </summary>
    public static IServiceCollection AddAlerts(this IServiceCollection services, EngineSettings settings)
    {
        var policy = AlertPolicy.From(settings);
        var routes = AlertChannelOptions.From(settings);
        services.AddSingleton(policy);
        services.AddSingleton(routes);
        services.AddScoped<AlertCenter>();
        services.AddScoped<HealthAlerts>();
        services.AddScoped<AlertSender>();
        if (routes.Telegram is { } telegram)
        {
            services.AddHttpClient(TelegramChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllLoggers();
            services.AddSingleton(telegram);
            services.AddSingleton<ITelegramChatMoves, TelegramChatMovesInDatabase>();
            services.AddSingleton<TelegramChannel>();
            services.AddSingleton<IAlertChannel>(sp => sp.GetRequiredService<TelegramChannel>());
        }
        if (routes.Webhook is { } webhook)
        {
            services.AddHttpClient(WebhookAlertChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(15)).RemoveAllLoggers();
            services.AddSingleton(webhook);
            services.AddSingleton<IAlertChannel, WebhookAlertChannel>();
        }
        if (routes.Email is { } email)
        {
            services.AddSingleton(email);
            services.AddSingleton<IAlertChannel, EmailAlertChannel>();
        }
        services.AddHostedService<AlertWorker>();
        return services;
    }
}
