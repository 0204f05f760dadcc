using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.MailWizz.DeliveryServers;

public static class DeliveryServerSetup
{
    public static IServiceCollection AddDeliveryServers(this IServiceCollection services, EngineSettings settings)
    {
        var options = DeliveryServerOptions.From(settings);
        services.AddSingleton(options);
        services.AddSingleton<MailWizzDatabase>();
        services.AddScoped<DeliveryServerSync>();
        services.AddScoped<Ips.IIpOwnershipObserver, TenantServersAlignment>();
        // Without database access there is nothing to run: the operator imports the CSV and sets the values by hand.
        if (options.HasDatabase)
            services.AddHostedService<DeliveryServerWorker>();
        return services;
    }
}

/// <summary>
/// Every <c>MAILWIZZ_DB_SYNC_SECONDS</c> (60), syncs the delivery servers that are due: so a warmup decision or an IP
/// paused reaches MailWizz within that interval, and every server is rewritten at least once a day. Looking for due
/// servers reads the engine's database only; MailWizz's is opened when one is due.
/// </summary>
internal sealed class DeliveryServerWorker(IServiceScopeFactory scopes, DatabaseMigrator migrator, DeliveryServerOptions options, TimeProvider clock,
    ILogger<DeliveryServerWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.SyncInterval;

    protected override string RoundName => "MailWizz delivery-server sync";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DeliveryServerSync>().SyncAsync(everything: false, ct);
    }
}
