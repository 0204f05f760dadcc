using System.CommandLine;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Deploy;

namespace EmailEngine.Cli;

internal static class PmtaCommands
{
    public static Command Build()
    {
        var pmta = new Command("pmta", "PowerMTA configuration and deployment.");
        var render = new Command("render", "Print the config the registered IPs produce.");
        render.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            Console.Write((await services.GetRequiredService<PmtaRendering>().RenderAsync(token)).Config);
            return 0;
        }, ct));

        var dryRun = new Option<bool>("--dry-run") { Description = "Only show the diff against the live config" };
        var deploy = new Command("deploy", "Deploy over SSH: backup, swap, pmta test config, reload, status, automatic rollback.") { dryRun };
        deploy.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var bundle = await services.GetRequiredService<PmtaRendering>().BundleAsync(token);
            var deployment = await services.GetRequiredService<ConfigDeployer>().DeployAsync(bundle, "cli", result.GetValue(dryRun), token);
            Console.Write(deployment.Diff.Length == 0 ? "no changes\n" : deployment.Diff);
            Console.Write(deployment.Log);
            Console.WriteLine($"deployment {deployment.Id}: {DeploymentStatuses.ToWire(deployment.Status)}{(deployment.Error is null ? "" : $": {deployment.Error}")}");
            return deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged or DeploymentStatus.DryRun ? 0 : 1;
        }, ct));
        pmta.Add(render);
        pmta.Add(deploy);
        return pmta;
    }
}
