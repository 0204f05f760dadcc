using EmailEngine.Accounting;
using EmailEngine.Alerts;
using EmailEngine.Auth;
using EmailEngine.Blocklists;
using EmailEngine.Campaigns;
using EmailEngine.Contacts;
using EmailEngine.Contacts.Import;
using EmailEngine.Data;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Dkim;
using EmailEngine.Health;
using EmailEngine.Http;
using EmailEngine.Ips;
using EmailEngine.Locks;
using EmailEngine.MailWizz;
using EmailEngine.MailWizz.DeliveryServers;
using EmailEngine.Metrics;
using EmailEngine.Outbox;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;
using EmailEngine.PowerMta.Status;
using EmailEngine.Suppressions;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using EmailEngine.Warmup;
using EmailEngine.WebConsole;
using EmailEngine.Webhooks;
using Scalar.AspNetCore;

namespace EmailEngine.Hosting;

/// <summary>Builds the engine's web host: the HTTP API plus its background workers, from one settings object.</summary>
public static class EngineHost
{
    /// <param name="extraServices">Registrations added after the engine's own (tests feed outcomes through it).</param>
    public static WebApplication Create(EngineSettings settings, string? listenUrl = null, Action<IServiceCollection>? extraServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(EngineHost).Assembly.GetName().Name });
        var metrics = MetricsOptions.From(settings);
        builder.WebHost.UseUrls(metrics.ListenUrl is { } metricsUrl ? [listenUrl ?? settings.ListenUrl, metricsUrl] : [listenUrl ?? settings.ListenUrl]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes);
        builder.Logging.AddEngineConsole(settings)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            // One line per outgoing request and per retry attempt is noise at sending volumes; failures still log.
            .AddFilter("System.Net.Http.HttpClient", LogLevel.Warning)
            .AddFilter("Polly", LogLevel.Warning);
        builder.Services.AddEngineServices(settings);
        extraServices?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseEnginePipeline();
        return app;
    }

    public static IServiceCollection AddEngineServices(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(settings);
        // The system clock, or the virtual clock a simulation shares with the stand-ins (EE_CLOCK).
        services.AddSingleton(SimulationClock.ScaledTimeProvider.FromEnvironment());
        services.AddEngineDatabase(settings.Database);
        services.AddEngineMetrics(settings);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json =>
        {
            ApiJson.Configure(json.SerializerOptions);
            // Only what clients send: stored text read back elsewhere is not refused after the fact.
            json.SerializerOptions.Converters.Add(new ControlCharacterGuard());
        });
        services.AddEngineOpenApi();
        services.AddApiKeyAuth();
        services.AddScoped<TenantScope>();
        services.AddSingleton<TenantScope.KnownSlugs>();
        services.AddOutbox(settings);
        services.AddDistributedLock(settings);
        services.AddSingleton(PmtaHostOptions.From(settings));
        services.AddScoped<EmailEngine.PowerMta.Hosts.PmtaHostDirectory>();
        services.AddScoped<IIpHosts>(sp => sp.GetRequiredService<EmailEngine.PowerMta.Hosts.PmtaHostDirectory>());
        services.AddScoped<ConfigDeployer>();
        services.AddScoped<EmailEngine.Campaigns.SendingHold>();
        services.AddScoped<EmailEngine.Campaigns.IUnservedTenants, EmailEngine.MailWizz.DeliveryServers.TenantServers.Unserved>();
        services.AddScoped<ISendingPoolObserver>(sp => sp.GetRequiredService<EmailEngine.Campaigns.SendingHold>());
        var reconcile = ReconcileOptions.From(settings);
        services.AddSingleton(reconcile);
        services.AddSingleton<ConfigSyncMemories>();
        services.AddScoped<ConfigReconciler>();
        if (reconcile.Interval > TimeSpan.Zero)
            services.AddHostedService<ConfigReconcileWorker>();
        services.AddPmtaStatus(settings);
        services.AddScoped<EmailEngine.PowerMta.PmtaRendering>();
        services.AddScoped<EmailEngine.PowerMta.Config.ImportBase>();
        services.AddDkim(settings);
        services.AddScoped<SuppressionService>();
        services.AddScoped<EmailEngine.Templates.ITemplateUsers, EmailEngine.Campaigns.CampaignTemplateUsers>();
        services.AddScoped<EmailEngine.Campaigns.ICampaignReferences, EmailEngine.Contacts.ContactCampaignReferences>();
        services.AddScoped<ITenantsOfAddress, EmailEngine.Contacts.ContactTenants>();
        services.AddScoped<WelcomeWorkflow>();
        services.AddSingleton<EmailEngine.Contacts.ContactWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<EmailEngine.Contacts.ContactWriter>());
        services.AddSingleton(EmailEngine.Contacts.Validation.DomainCheckSettings.From(settings));
        services.AddSingleton<EmailEngine.Contacts.Validation.DomainCheck>();
        services.AddScoped<ContactImporter>();
        services.AddSingleton<ImportRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<ImportRunner>());
        services.AddMailWizzClient(MailWizzOptions.From(settings));
        services.AddDeliveryServers(settings);
        services.AddSingleton(AcctOptions.From(settings));
        services.AddSingleton(EmailEngine.Deliverability.SoftBounceRule.From(settings));
        services.AddScoped<EmailEngine.Deliverability.SuppressionPolicy>();
        services.AddScoped<AcctIngestor>();
        services.AddScoped<AcctPuller>();
        services.AddSingleton<AcctPullRun>();
        services.AddScoped<EmailEngine.Deliverability.Stats.DeliveryStatsQuery>();
        services.AddScoped<EmailEngine.Deliverability.Stats.IWarmupOutcomes>(sp => sp.GetRequiredService<EmailEngine.Deliverability.Stats.DeliveryStatsQuery>());
        services.AddHostedService<AcctPullWorker>();
        services.AddWarmup(settings);
        services.AddAlerts(settings);
        services.AddBlocklists(settings);
        services.AddOperationsHealth(settings);
        services.AddWebhooks(settings);
        services.AddOperatorConsole(settings);
        return services;
    }

    public static WebApplication UseEnginePipeline(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseMetricsListener();
        app.UseStatusCodePages();
        // Before routing: endpoint matching already rejects a non-JSON Content-Type with 415.
        app.UseMiddleware<JsonBodyMiddleware>();
        app.UseOperatorConsoleAssets();
        app.UseRouting();
        app.UseMiddleware<ReadinessGate>();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs").AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        // Every API route answers 401 without a valid key and 503 while the schema is behind (ReadinessGate).
        var api = app.MapGroup("").ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapTenantEndpoints();
        api.MapApiKeyEndpoints();
        api.MapIpEndpoints();
        api.MapTemplateEndpoints();
        api.MapCampaignEndpoints();
        api.MapOutboxEndpoints();
        api.MapSuppressionEndpoints();
        api.MapContactEndpoints();
        api.MapImportEndpoints();
        api.MapPmtaEndpoints();
        api.MapPmtaHostEndpoints();
        api.MapDomainEndpoints();
        api.MapAccountingEndpoints();
        api.MapStatsEndpoints();
        api.MapWarmupEndpoints();
        api.MapDeliveryServerEndpoints();
        api.MapBlocklistEndpoints();
        api.MapAlertEndpoints();
        api.MapOperationsHealthEndpoints();
        api.MapWebhookEndpoints();
        app.MapOperatorConsole();
        return app;
    }
}
