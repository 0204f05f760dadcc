using System.CommandLine;
using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.PowerMta.Hosts;

namespace EmailEngine.Cli;

internal static class AcctCommands
{
    public static Command Build()
    {
        var acct = new Command("acct", "PowerMTA accounting: ingest files, pull from the PowerMTA host.");
        var files = new Argument<FileInfo[]>("files") { Description = "Accounting CSV files (plain or .gz)", Arity = ArgumentArity.OneOrMore };
        var hostOption = HostOption.Create("The PowerMTA host that wrote the files");
        var ingest = new Command("ingest", "Ingest accounting files (resumes where a previous ingest of the same file stopped).") { files, hostOption };
        ingest.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            var ingestor = services.GetRequiredService<AcctIngestor>();
            if (await HostOption.ResolveAsync(services, result, hostOption, token) is not { } host)
                return 1;
            foreach (var file in result.GetValue(files)!)
            {
                if (!file.Exists)
                    return TenantCommands.Fail($"no such file: {file.FullName}");
                await using var stream = file.OpenRead();
                Print(await ingestor.IngestAsync(host.Name, file.Name, stream, final: false, token));
            }
            return 0;
        }, ct));

        var pull = new Command("pull", "Pull new accounting records from every configured PowerMTA host over SSH once (rotated and gzipped files included).");
        pull.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(token);
            var directory = services.GetRequiredService<PmtaHostDirectory>();
            var hosts = await directory.ConfiguredAsync(token);
            // No host configured: the default one's pull says which settings are missing.
            foreach (var host in hosts.Count > 0 ? hosts : [directory.Default])
                foreach (var result in await services.GetRequiredService<AcctPuller>().PullAsync(host, token))
                    Print(result);
            return 0;
        }, ct));
        acct.Add(ingest);
        acct.Add(pull);
        return acct;
    }

    private static void Print(IngestResult r) =>
        Console.WriteLine($"{r.Name}: {r.Status}, {r.Records:N0} records (bytes {r.FromOffset:N0} → {r.ToOffset:N0}), {r.Suppressed:N0} suppressed" +
            (r.UnknownTypes > 0 ? $", {r.UnknownTypes:N0} lines of unknown type" : ""));
}
