using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Hosting;
using Spectre.Console;

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

    /// <summary>Wide enough that no table row of ours wraps.</summary>
    private const int RedirectedWidth = 1000;

    public static Task<int> RunAsync(string[] args) => RunAsync(Build(), args);

    /// <summary>Runs a command line (the engine's, or the benchmarks' built on the same services) with one error rule.</summary>
    internal static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        SizeRedirectedOutput();
        try
        {
            // Configuration errors are expected failures: one line, no stack trace (see the catch below).
            return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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

    /// <summary>
    /// Without a terminal (piped, CI) Spectre.Console assumes 80 columns and squeezes tables until their headers read
    /// <c>sta…</c>: take the width the caller gives in COLUMNS, else one no table row reaches.
    /// </summary>
    private static void SizeRedirectedOutput()
    {
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 0
                ? columns
                : RedirectedWidth;
    }

    private static string OneLine(Exception error)
    {
        var innermost = error.GetBaseException();
        return OneLine(innermost == error || innermost.Message.Length == 0 ? error.Message : $"{error.Message} ({innermost.Message})");
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>
    /// Runs an action against the engine's services (database, key service…) without the web server. Like
    /// <c>serve</c>, it says where its configuration and data come from, and first makes sure the schema is current
    /// (<paramref name="ensureSchema"/> is false only for <c>migrate</c>, which reports what it applies).
    /// </summary>
    internal static async Task<int> WithServicesAsync(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct,
        bool ensureSchema = true)
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
        if (ensureSchema && await SchemaProblemAsync(provider.GetRequiredService<DatabaseMigrator>(), settings.Database, ct) is { } problem)
            return TenantCommands.Fail(problem);
        await using var scope = provider.CreateAsyncScope();
        return await action(scope.ServiceProvider, ct);
    }

    /// <summary>
    /// The embedded SQLite file is brought up to date, as <c>serve</c> does. PostgreSQL is migrated only by
    /// <c>email-engine migrate</c> (a deployment step of its own): a database behind it stops the verb with that
    /// command rather than an SQL error on a missing table.
    /// </summary>
    private static async Task<string?> SchemaProblemAsync(DatabaseMigrator migrator, DatabaseTarget database, CancellationToken ct)
    {
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            await migrator.MigrateAsync(ct);
            return null;
        }
        var status = await migrator.GetStatusAsync(ct);
        return status switch
        {
            { Reachable: false } => $"database not reachable: {OneLine(status.Error ?? "")}",
            { Applied.Count: 0 } => "database not migrated: run `email-engine migrate`",
            { Pending.Count: > 0 } => $"database schema not current ({status.Pending.Count} pending migration(s)): run `email-engine migrate`",
            _ => null,
        };
    }
}
