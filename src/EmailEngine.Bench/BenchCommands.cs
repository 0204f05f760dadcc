using System.CommandLine;
using EmailEngine.Cli;
using EmailEngine.Data;

namespace EmailEngine.Bench;

/// <summary>The <c>bench</c> verbs: each prints its figures, and their ratio to a baseline measured in the same run where it has one.</summary>
internal static class BenchCommands
{
    public static RootCommand Build()
    {
        var bench = new RootCommand("Email-Engine benchmarks (./run bench VERB): figures, and their ratio to a baseline measured in the same run.");
        var rows = new Option<int>("--rows") { Description = "Rows to generate", DefaultValueFactory = _ => 1_000_000 };
        var import = new Command("import", "Generate a contacts CSV, import it into PostgreSQL, compare with a raw COPY.") { rows };
        import.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            if (services.GetRequiredService<DatabaseTarget>().Provider != DatabaseProvider.Postgres)
                return TenantCommands.Fail("bench import needs DATABASE_URL=postgresql://…");
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            await ActivatorUtilities.CreateInstance<ImportBenchmark>(services).RunAsync(result.GetValue(rows), Path.Combine(Path.GetTempPath(), "email-engine-bench"), Console.Out, token);
            return 0;
        }, ct));
        bench.Add(import);

        var records = new Option<long>("--records") { Description = "Records to generate", DefaultValueFactory = _ => 1_000_000 };
        var keep = new Option<bool>("--keep") { Description = "Keep the generated file (e.g. to try `acct ingest` on it)" };
        var ingestRecords = new Option<long>("--ingest-records")
        {
            Description = "Records of the end-to-end ingest file (PostgreSQL only; 0 = skip)", DefaultValueFactory = _ => 200_000,
        };
        var acct = new Command("acct", "Generate an accounting file; time parse + classify against simply reading it, then (PostgreSQL) the whole ingest.")
            { records, keep, ingestRecords };
        acct.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var file = Path.Combine(Path.GetTempPath(), $"email-engine-bench-acct-{result.GetValue(records)}.csv");
            await AcctBenchmark.RunAsync(result.GetValue(records), file, Console.Out, token);
            if (!result.GetValue(keep))
                File.Delete(file);
            if (result.GetValue(ingestRecords) <= 0)
                return 0;
            if (services.GetRequiredService<DatabaseTarget>().Provider != DatabaseProvider.Postgres)
            {
                Console.Out.WriteLine("end-to-end ingest: skipped (it is measured on PostgreSQL: DATABASE_URL=postgresql://…)");
                return 0;
            }
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            var ingestFile = Path.Combine(Path.GetTempPath(), "email-engine-bench-acct-ingest.csv");
            await AcctBenchmark.IngestAsync(services, result.GetValue(ingestRecords), ingestFile, Console.Out, token);
            File.Delete(ingestFile);
            return 0;
        }, ct, ensureSchema: false));
        bench.Add(acct);

        var days = new Option<int>("--days") { Description = "Days of hourly stats", DefaultValueFactory = _ => 90 };
        var ips = new Option<int>("--ips") { Description = "Sending IPs", DefaultValueFactory = _ => 5 };
        var tenants = new Option<int>("--tenants") { Description = "Tenants", DefaultValueFactory = _ => 3 };
        var campaigns = new Option<int>("--campaigns") { Description = "Campaigns per tenant", DefaultValueFactory = _ => 2 };
        var statsCommand = new Command("stats", "Fill 90 days of hourly delivery stats, time the stats queries (median ms), clean up.")
            { days, ips, tenants, campaigns };
        statsCommand.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            var shape = new StatsBenchmark.Shape(result.GetValue(ips), result.GetValue(tenants), result.GetValue(campaigns), result.GetValue(days));
            await ActivatorUtilities.CreateInstance<StatsBenchmark>(services).RunAsync(shape, Console.Out, token);
            return 0;
        }, ct));
        bench.Add(statsCommand);

        var hosts = new Option<int>("--hosts") { Description = "PowerMTA hosts", DefaultValueFactory = _ => 5 };
        var fleetIps = new Option<int>("--ips") { Description = "Sending IPs", DefaultValueFactory = _ => 100 };
        var fleetTenants = new Option<int>("--tenants") { Description = "Tenants", DefaultValueFactory = _ => 2 };
        var domains = new Option<int>("--domains") { Description = "Sending domains", DefaultValueFactory = _ => 50 };
        var render = new Command("render", "Render and validate every host's PowerMTA config at the planned scale, and the warmup decisions over 90 days of "
            + "stats, against today's 5-IP install (median ms).") { hosts, fleetIps, fleetTenants, domains, days };
        render.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            var shape = new RenderBenchmark.Shape(result.GetValue(hosts), result.GetValue(fleetIps), result.GetValue(fleetTenants), result.GetValue(domains),
                result.GetValue(days));
            await ActivatorUtilities.CreateInstance<RenderBenchmark>(services, ActivatorUtilities.CreateInstance<StatsBenchmark>(services)).RunAsync(shape, Console.Out, token);
            return 0;
        }, ct));
        bench.Add(render);

        var contacts = new Option<int>("--contacts") { Description = "New contacts pushed grouped", DefaultValueFactory = _ => 5_000 };
        var baseline = new Option<int>("--baseline-contacts") { Description = "New contacts pushed one per call (the baseline)", DefaultValueFactory = _ => 100 };
        var push = new Command("push", "Time new contacts into the MailWizz stand-in at 10 requests/s, grouped vs one per call (needs a source checkout).")
            { contacts, baseline };
        push.SetAction(async (result, ct) =>
        {
            await PushBenchmark.RunAsync(result.GetValue(contacts), result.GetValue(baseline), Path.Combine(Path.GetTempPath(), "email-engine-bench-push"),
                Console.Out, ct);
            return 0;
        });
        bench.Add(push);

        var requests = new Option<int>("--requests") { Description = "Requests per measure", DefaultValueFactory = _ => 5_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight", DefaultValueFactory = _ => 32 };
        var intake = new Command("intake", "POST /api/v2/contacts against GET /api/v1/ips on one engine (DATABASE_URL, or SQLite): req/s, p50, p99, ratio.")
            { requests, concurrency };
        intake.SetAction(async (result, ct) =>
        {
            await IntakeBenchmark.RunAsync(result.GetValue(requests), result.GetValue(concurrency), Path.Combine(Path.GetTempPath(), "email-engine-bench-intake"),
                Console.Out, ct);
            return 0;
        });
        bench.Add(intake);
        return bench;
    }
}
