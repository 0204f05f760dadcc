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
        root.Add(SimulateCommand.Build());
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
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("error: interrupted");
            return 130;
        }
        catch (Exception error)
        {
            // Any other failure of a verb (database unreachable, file unreadable…): one line, never a stack trace.
            Console.Error.WriteLine($"error: {OneLine(error)}");
            return 1;
        }
    }

    private static string OneLine(Exception error)
    {
        var innermost = error.GetBaseException();
        var message = innermost == error || innermost.Message.Length == 0 ? error.Message : $"{error.Message} ({innermost.Message})";
        return string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>
    /// Runs an action against the engine's services (database, key service…) without the web server. Like
    /// <c>serve</c>, it says where its configuration and data come from, and brings the embedded SQLite file up to date
    /// first (<paramref name="migrateSqlite"/> is false only for <c>migrate</c>, which reports what it applies).
    /// </summary>
    internal static async Task<int> WithServicesAsync(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct,
        bool migrateSqlite = true)
    {
        var settings = SettingsLoader.Load();
        Console.Error.WriteLine($"email-engine: {settings.DescribeSources()}");
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Command", LogLevel.None) // SQL errors surface as exceptions
            .AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.None)
            .AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.None));
        services.AddEngineServices(settings);
        await using var provider = services.BuildServiceProvider();
        if (migrateSqlite && settings.Database.Provider == DatabaseProvider.Sqlite)
            await provider.GetRequiredService<Data.DatabaseMigrator>().MigrateAsync(ct);
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider, ct);
    }
}
