using System.Diagnostics.Metrics;
using EmailEngine.Auth;
using EmailEngine.Deliverability;
using EmailEngine.Hosting;
using EmailEngine.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EmailEngine.Metrics;

public static class MetricsSetup
{
    /// <summary>The engine's instruments always exist (no-ops without a listener); the OpenTelemetry pipeline only with <c>METRICS=on</c>.</summary>
    public static IServiceCollection AddEngineMetrics(this IServiceCollection services, EngineSettings settings)
    {
        var options = MetricsOptions.From(settings);
        services.AddSingleton(options);
        services.AddEngineMeters();
        services.AddSingleton<EngineStateCache>();
        services.AddScoped<EngineStateReader>();
        if (!options.Enabled)
            return services;
        services.AddSingleton<StateGauges>();
        services.AddHostedService<EngineStateRefresher>();
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("email-engine"));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(EngineMetrics.MeterName, "System.Runtime").AddAspNetCoreInstrumentation().AddPrometheusExporter();
            if (options.OtlpEndpoint is not null)
                metrics.AddOtlpExporter(otlp => Otlp(otlp, options));
        });
        services.ConfigureOpenTelemetryMeterProvider((sp, builder) =>
        {
            sp.GetRequiredService<StateGauges>(); // creates the gauges
            // Meters made through another container's factory (several engines in one process: the tests) are not ours.
            var own = sp.GetRequiredService<IMeterFactory>();
            builder.AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own)
                ? MetricStreamConfiguration.Drop : Sized(instrument));
        });
        // Spans are recorded only when someone takes them: without a collector, no tracer is set up at all.
        if (options.OtlpEndpoint is not null)
            telemetry.WithTracing(tracing => tracing.AddSource(EngineMetrics.ActivitySourceName).AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation().AddOtlpExporter(otlp => Otlp(otlp, options)));
        return services;
    }

    /// <summary>Virtual MTAs the per-vmta streams hold apart: a fleet of 500 IPs, with room for IPs replaced since the start.</summary>
    private const int Vmtas = 500;

    /// <summary>
    /// Label sets a stream holds apart before it folds the rest into one overflow series. OpenTelemetry allocates each
    /// stream's points up front for this limit (2,000 by default: 144 KB a stream, 10 MB for the engine's 70 streams at
    /// every start, a full garbage collection for every two engines started in one process). The streams labelled per
    /// virtual MTA or IP are sized for <see cref="Vmtas"/> (the bounce counter's 24 label sets per vmta overflowed the
    /// default past 83 IPs), the two per-route ones of ASP.NET Core keep the default, and the rest (a status, a host, a
    /// kind, a runtime figure) have a few dozen label sets at most.
    /// </summary>
    private static MetricStreamConfiguration Sized(Instrument instrument)
    {
        var groups = IspGroups.All.Count;
        var limit = instrument.Name switch
        {
            MetricNames.Bounced => Vmtas * groups * 4, // class: hard, soft, block, other
            MetricNames.Deferred => Vmtas * groups * 2, // class: block, other
            MetricNames.Sent or MetricNames.Delivered or MetricNames.Complaints or MetricNames.WarmupGroupQuota => Vmtas * groups,
            MetricNames.IpInfo or MetricNames.WarmupDay or MetricNames.WarmupDailyQuota or MetricNames.WarmupPhase
                or MetricNames.BlocklistListed or "http.server.request.duration" or "aspnetcore.routing.match_attempts" => 2_000,
            _ => 200,
        };
        return new MetricStreamConfiguration { CardinalityLimit = limit };
    }

    /// <summary>The engine's instruments alone, for features registered on their own (the MailWizz client in its tests).</summary>
    public static IServiceCollection AddEngineMeters(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<EngineMetrics>();
        return services;
    }

    private static void Otlp(OtlpExporterOptions otlp, MetricsOptions options)
    {
        otlp.Endpoint = options.OtlpEndpoint!;
        otlp.Protocol = options.OtlpHttp ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
    }

    /// <summary>The unauthenticated listener (<c>METRICS_PORT</c>): <c>/metrics</c> only, before anything else of the pipeline.</summary>
    public static WebApplication UseMetricsListener(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<MetricsOptions>();
        if (options is not { Enabled: true, Port: { } port })
            return app;
        app.MapWhen(context => context.Connection.LocalPort == port, branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsOptions.Path);
            branch.Run(context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
        return app;
    }

    /// <summary><c>/metrics</c> on the API's port: operator key, in <c>X-API-KEY</c> or as a bearer token (what Prometheus sends).</summary>
    public static IEndpointRouteBuilder MapMetricsEndpoint(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<MetricsOptions>().Enabled)
            app.MapPrometheusScrapingEndpoint(MetricsOptions.Path).RequireOperator().WithMetadata(new AcceptsBearerKey()).ExcludeFromDescription();
        return app;
    }
}
