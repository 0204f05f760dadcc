using EmailEngine.Hosting;
using EmailEngine.Metrics;
using EmailEngine.Outbox;

namespace EmailEngine.Webhooks;

public static class WebhookSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, EngineSettings settings)
    {
        var options = WebhookOptions.From(settings);
        var targets = new WebhookTargets(options);
        services.AddSingleton(options);
        services.AddSingleton(targets);
        services.AddEngineMeters();
        services.AddSingleton<WebhookSecrets>();
        services.AddScoped<WebhookPublisher>();
        services.AddScoped<IOutboxHandler, WebhookSender>();
        // One attempt per outbox run (the outbox owns retries and backoff); no redirects, no cookies, guarded connects.
        services.AddHttpClient(WebhookSender.HttpClientName, http =>
            {
                http.Timeout = options.Timeout;
                http.DefaultRequestHeaders.UserAgent.ParseAdd("EmailEngine-Webhooks/2.0");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, UseCookies = false, UseProxy = false, ConnectCallback = targets.ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            })
            .AddHttpMessageHandler(sp => new CallTimingHandler(sp.GetRequiredService<EngineMetrics>(), "webhook"));
        return services;
    }
}
