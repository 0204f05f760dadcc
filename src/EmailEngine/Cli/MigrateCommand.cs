using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Cli;

internal static class MigrateCommand
{
    public static Command Build()
    {
        var command = new Command("migrate", "Apply pending database migrations (idempotent); prints what was applied.");
        command.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var target = services.GetRequiredService<DatabaseTarget>();
            var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            Console.WriteLine(applied.Count == 0
                ? $"{target.Describe()}: schema already up to date, nothing applied."
                : $"{target.Describe()}: applied {applied.Count} migration(s):");
            foreach (var migration in applied)
                Console.WriteLine($"  {migration}");
            return 0;
        }, ct, ensureSchema: false));
        return command;
    }
}
