using System.Threading.RateLimiting;
using Microsoft.Extensions.Http.Resilience;
using EmailEngine.MailWizz.Sync;
using EmailEngine.Metrics;
using EmailEngine.Outbox;
using Polly;

namespace EmailEngine.MailWizz;

public static class MailWizzSetup
{
    /// <summary>
    /// HttpClient pipeline: rate limit → total timeout → retry (5xx, 408, 429, network, timeouts; never other 4xx;
    /// honours Retry-After; exponential with jitter) → circuit breaker → per-attempt timeout. The key header is
    /// redacted from HttpClient logs.
    /// </summary>
    public static IServiceCollection AddMailWizzClient(this IServiceCollection services, MailWizzOptions options)
    {
        services.AddSingleton(options);
        services.AddEngineMeters();
        var client = services.AddHttpClient<MailWizzTransport>(http =>
            {
                if (options.BaseUrl is not null)
                    http.BaseAddress = new Uri(options.BaseUrl.ToString().TrimEnd('/') + "/");
                if (options.ApiKey is not null)
                    http.DefaultRequestHeaders.Add("X-API-KEY", options.ApiKey);
                http.DefaultRequestHeaders.UserAgent.ParseAdd("EmailEngine/2.0");
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .RedactLoggedHeaders(["X-API-KEY"]);
        services.AddSingleton<MailWizzCircuit>();
        client.AddResilienceHandler("mailwizz", (pipeline, context) =>
            {
                var circuit = context.ServiceProvider.GetRequiredService<MailWizzCircuit>();
                // Network timeouts and retry delays are real time, also when the engine's clock is a simulation's.
                pipeline.TimeProvider = TimeProvider.System;
                pipeline.AddRateLimiter(new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RequestsPerSecond, TokensPerPeriod = options.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1), QueueLimit = 1000, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                }));
                pipeline.AddTimeout(options.AttemptTimeout * (options.MaxRetries + 2));
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(200),
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(IsSafeToRetry(args.Outcome, args.Context.GetRequestMessage())),
                });
                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.8, MinimumThroughput = 10, SamplingDuration = TimeSpan.FromSeconds(30),
                    BreakDuration = TimeSpan.FromSeconds(10),
                    StateProvider = circuit.Provider,
                    OnOpened = args =>
                    {
                        circuit.Opened(args.Outcome.Exception?.Message ?? $"HTTP {(int?)args.Outcome.Result?.StatusCode}");
                        return ValueTask.CompletedTask;
                    },
                });
                pipeline.AddTimeout(options.AttemptTimeout);
            });
        // Inside the pipeline: each attempt is timed (a retried call counts its attempts; a refused one none).
        client.AddHttpMessageHandler(sp => new CallTimingHandler(sp.GetRequiredService<EngineMetrics>(), "mailwizz"));
        services.AddTransient<MailWizzClient>();
        services.AddScoped<TenantListSync>();
        services.AddSingleton<KnownListFields>();
        services.AddScoped<IOutboxHandler, ListSyncHandler>();
        services.AddScoped<IOutboxHandler, TemplateSyncHandler>();
        services.AddScoped<IOutboxHandler, CampaignSyncHandler>();
        services.AddScoped<IOutboxHandler, UnsubscribeHandler>();
        services.AddScoped<IOutboxHandler, SubscriberSyncHandler>();
        services.AddScoped<IOutboxHandler, SubscriberBatchHandler>();
        services.AddScoped<RemoteCheck>();
        services.AddHostedService<RemoteCheckWorker>();
        return services;
    }

    /// <summary>
    /// A POST that timed out or got a 5xx may have created something: retrying it here could duplicate it, so it is
    /// left to the outbox, which looks the resource up before creating again. Other verbs are idempotent.
    /// 429 and 503 mean "not processed" for every verb.
    /// </summary>
    private static bool IsSafeToRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request)
    {
        var idempotent = request?.Method != HttpMethod.Post;
        return outcome switch
        {
            { Exception: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } } => true,
            { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => idempotent,
            { Result: { } r } => (int)r.StatusCode is 429 or 503 || idempotent && (int)r.StatusCode is 408 or >= 500,
            _ => false,
        };
    }
}
