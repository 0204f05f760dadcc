using System.CommandLine;
using EmailEngine.Bench;
using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Cli;

internal static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "Throughput benchmarks (print rows/s).");
        var rows = new Option<int>("--rows") { Description = "Rows to generate", DefaultValueFactory = _ => 1_000_000 };
        var import = new Command("import", "Generate a contacts CSV, import it into PostgreSQL, compare with a raw COPY.") { rows };
        import.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            if (services.GetRequiredService<DatabaseTarget>().Provider != DatabaseProvider.Postgres)
                return TenantCommands.Fail("bench import needs DATABASE_URL=postgresql://…");
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            await services.GetRequiredService<ImportBenchmark>().RunAsync(result.GetValue(rows), Path.Combine(Path.GetTempPath(), "email-engine-bench"), Console.Out, token);
            return 0;
        }, ct));
        bench.Add(import);
        return bench;
    }
}
