using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Ips;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class WarmupCommands
{
    public static Command Build()
    {
        var warmup = new Command("warmup", "IP warmup: progress and decisions.");

        var status = new Command("status", "Every IP's warmup: plan, sending day, today's quotas per ISP group, last decision (details: GET /api/v1/ips/{id}/warmup).");
        status.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var db = services.GetRequiredService<AppDbContext>();
            var options = services.GetRequiredService<WarmupOptions>();
            var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(i => i.Id).ToListAsync(token);
            var states = await db.Set<IpWarmup>().AsNoTracking().ToDictionaryAsync(w => w.IpId, token);
            var last = (await db.Set<WarmupDecision>().AsNoTracking().ToListAsync(token))
                .GroupBy(d => d.IpId).ToDictionary(g => g.Key, g => g.MaxBy(d => d.Id)!);
            var table = new Table().AddColumns("ip", "vmta", "status", "plan", "day", "quota/day")
                .AddColumns(IspGroups.All.Select(g => new TableColumn(g.Name())).ToArray()).AddColumn("last decision");
            foreach (var ip in ips)
            {
                var lastDecision = last.TryGetValue(ip.Id, out var d) ? $"{d.Kind.ToString().ToLowerInvariant()} {d.At:yyyy-MM-dd HH:mm}" : "";
                // An IP without a warmup (registered active, standby…) is listed all the same: the table shows the whole fleet.
                string[] warmup = states.TryGetValue(ip.Id, out var state)
                    ?
                    [
                        state.PlanName, $"{state.SendingDay}/{state.Plan.Days}", WarmupPacing.DailyQuota(state).ToString("N0"),
                        ..IspGroups.All.Select(g => state.StepOf(g) == WarmupPacing.IpStep(state)
                            ? WarmupPacing.GroupQuota(state, g, options).ToString("N0")
                            : $"{WarmupPacing.GroupQuota(state, g, options):N0} (held at day {state.StepOf(g)})"),
                    ]
                    : ["no plan", "", "", ..IspGroups.All.Select(_ => "")];
                table.AddRow([ip.Address, ip.VmtaName, IpStatuses.ToWire(ip.Status), ..warmup, lastDecision]);
            }
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var run = new Command("run", "Take the decisions that are due now and deploy the resulting PowerMTA limits.");
        run.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var result = await services.GetRequiredService<WarmupEngine>().RunDueAsync(token);
            if (result.Skipped is { } skipped)
            {
                Console.Error.WriteLine($"nothing decided: {skipped}");
                return 1;
            }
            Console.WriteLine($"period {result.Period:yyyy-MM-dd}: {result.Decisions.Count} decision(s)");
            foreach (var d in result.Decisions)
                Console.WriteLine($"  ip {d.IpId} {d.Kind.ToString().ToLowerInvariant()}{(d.Group is { } g ? $" [{g.Name()}]" : "")} day {d.SendingDay}: {d.Reason}");
            if (result.Deployment is { } deployment)
                Console.WriteLine($"deployment {deployment.Id}: {PowerMta.Deploy.DeploymentStatuses.ToWire(deployment.Status)}"
                    + (deployment.Error is null ? "" : $": {deployment.Error}"));
            return result.Deployment is null || WarmupDeployment.Deployed(result.Deployment) ? 0 : 1;
        }, ct));

        warmup.Add(status);
        warmup.Add(run);
        return warmup;
    }
}
