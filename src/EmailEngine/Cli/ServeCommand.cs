using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Cli;

internal static class ServeCommand
{
    public static Command Build()
    {
        var command = new Command("serve", "Run the HTTP API (port 8000 unless PORT is set) and the background workers.");
        command.SetAction((_, ct) => RunAsync(ct));
        return command;
    }

    public static async Task<int> RunAsync(CancellationToken ct)
    {
        var settings = SettingsLoader.Load();
        var app = EngineHost.Create(settings);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EmailEngine");
        logger.LogInformation("Email-Engine starting on {Url}: {Sources}", settings.ListenUrl, settings.DescribeSources());
        if (settings.UsesRunbookKey)
            logger.LogWarning(settings.ListenAddress is null
                ? "API_KEY is the runbook's well-known key: listening on 127.0.0.1 only; set another API_KEY to listen on every interface"
                : "API_KEY is the runbook's well-known key: anyone who reaches {Url} can act for every tenant; change it", settings.ListenUrl);
        if (settings.Database.Provider == DatabaseProvider.Sqlite)
        {
            // The embedded default needs no separate step: bring the SQLite file up to date on start.
            await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(ct);
        }
        await app.RunAsync(ct);
        return 0;
    }
}
