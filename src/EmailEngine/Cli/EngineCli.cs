using System.CommandLine;
using EmailEngine.Hosting;

namespace EmailEngine.Cli;

/// <summary>
/// The <c>email-engine</c> command line: <c>serve</c> (default), <c>migrate</c>, <c>tenants</c>, <c>keys</c>.
/// Every verb reads the same configuration (environment over <c>.env</c>).
/// </summary>
public static class EngineCli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Email-Engine V2: control plane for MailWizz + PowerMTA sending.");
        var serve = ServeCommand.Build();
        root.Add(serve);
        root.Add(MigrateCommand.Build());
        root.Add(TenantCommands.Build());
        root.Add(KeyCommands.Build());
        root.Add(ContactCommands.Build());
        root.Add(BenchCommands.Build());
        root.Add(PmtaCommands.Build());
        root.Add(AcctCommands.Build());
        root.Add(WarmupCommands.Build());
        root.Add(DkimCommands.Build());
        root.Add(DnsCommands.Build());
        root.Add(OutboxCommands.Build());
        root.Add(HealthcheckCommand.Build());
        root.SetAction((result, ct) => ServeCommand.RunAsync(ct));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            // Configuration errors are expected failures: one line, no stack trace (see the catch below).
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ConfigurationError error)
        {
            Console.Error.WriteLine(error.Message);
            return 2;
        }
    }

    /// <summary>Runs an action against the engine's services (database, key service…) without the web server.</summary>
    internal static async Task<int> WithServicesAsync(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct)
    {
        var settings = SettingsLoader.Load();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None)); // SQL errors surface as exceptions
        services.AddEngineServices(settings);
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider, ct);
    }
}
