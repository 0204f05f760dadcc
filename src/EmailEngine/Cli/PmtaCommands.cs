using System.CommandLine;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Config;
using EmailEngine.PowerMta.Deploy;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class PmtaCommands
{
    public static Command Build()
    {
        var pmta = new Command("pmta", "PowerMTA configuration and deployment.");
        var hostOption = HostOption.Create("The PowerMTA host");
        var render = new Command("render", "Print the config the IPs of a PowerMTA host produce.") { hostOption };
        render.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            if (await HostOption.ResolveAsync(services, result, hostOption, token) is not { } host)
                return 1;
            Console.Write((await services.GetRequiredService<PmtaRendering>().RenderAsync(host, token)).Config);
            return 0;
        }, ct));

        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the diff against the live config" };
        var deploy = new Command("deploy", "Deploy over SSH: backup, swap, pmta test config, reload, status, automatic rollback.") { dryRun, hostOption };
        deploy.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            if (await HostOption.ResolveAsync(services, result, hostOption, token) is not { } host)
                return 1;
            var bundle = await services.GetRequiredService<PmtaRendering>().BundleAsync(host, token);
            var deployment = await services.GetRequiredService<ConfigDeployer>().DeployAsync(bundle, "cli", result.GetValue(dryRun), token);
            Console.Write(deployment.Diff.Length == 0 ? "no changes\n" : deployment.Diff);
            Console.Write(deployment.Log);
            Console.WriteLine($"deployment {deployment.Id}: {DeploymentStatuses.ToWire(deployment.Status)}{(deployment.Error is null ? "" : $": {deployment.Error}")}");
            return deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged or DeploymentStatus.DryRun ? 0 : 1;
        }, ct));
        pmta.Add(render);
        pmta.Add(deploy);
        pmta.Add(BuildImportV1());
        return pmta;
    }

    private static Command BuildImportV1()
    {
        var file = new Argument<FileInfo>("file") { Description = "The V1 PowerMTA config, e.g. a copy of /etc/pmta/config" };
        var import = new Command("import-v1", "Import a V1 config as the base: keep its structure, drop its old IPs, domains and keys.") { file };
        import.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {path.FullName} does not exist");
                return 1;
            }
            var outcome = await services.GetRequiredService<ImportBase>().ImportAsync(await File.ReadAllTextAsync(path.FullName, token), path.Name, "cli", token);
            if (!outcome.IsSuccess)
            {
                var errors = outcome.Error is Http.Failure.Validation v ? string.Join("; ", v.Errors.SelectMany(e => e.Value)) : outcome.Error!.Detail;
                AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {path.Name}: {errors}");
                return 1;
            }
            var (stored, created, report) = outcome.Value!;
            var table = new Table().AddColumns("line", "action", "item", "reason");
            foreach (var item in report.Items)
            {
                var colour = item.Action switch { ImportItem.Kept => "green", ImportItem.Dropped => "red", _ => "yellow" };
                table.AddRow(new Text(item.Line.ToString()), new Markup($"[{colour}]{item.Action}[/]"), new Text(item.Item), new Text(item.Reason));
            }
            AnsiConsole.Write(table);
            foreach (var note in report.Notes)
                AnsiConsole.MarkupLineInterpolated($"[grey]note:[/] {note}");
            AnsiConsole.MarkupLineInterpolated($"old IPs: {string.Join(", ", report.OldIps)}; old domains: {string.Join(", ", report.OldDomains)}");
            AnsiConsole.MarkupLine($"{report.Kept} kept, {report.Dropped} dropped, {report.Replaced} replaced; base version {stored.Version} "
                + (created ? "[green]created[/]" : "unchanged (same content as the latest version)"));
            return 0;
        }, ct));
        return import;
    }
}
