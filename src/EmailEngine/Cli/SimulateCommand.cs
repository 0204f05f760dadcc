using System.CommandLine;
using System.Globalization;
using EmailEngine.Simulation;
using Spectre.Console;

namespace EmailEngine.Cli;

/// <summary>
/// <c>email-engine simulate</c>: the whole loop end to end on this machine (engine, MailWizz and PowerMTA stand-ins on
/// loopback ports, one virtual clock), with the invariants checked on the PowerMTA stand-in's own logs. Exits 1 when
/// an invariant breaks.
/// </summary>
internal static class SimulateCommand
{
    public static Command Build()
    {
        var days = new Option<int>("--days") { Description = "Virtual days to run", DefaultValueFactory = _ => 70 };
        var ips = new Option<int>("--ips") { Description = "Sending IPs, all registered as warming", DefaultValueFactory = _ => 5 };
        var tenants = new Option<int>("--tenants") { Description = "Tenants the sign-ups are spread over", DefaultValueFactory = _ => 2 };
        var hosts = new Option<int>("--hosts") { Description = "PowerMTA hosts the IPs are spread over", DefaultValueFactory = _ => 1 };
        var contacts = new Option<int>("--contacts-per-day") { Description = "Sign-ups a day (each gets a welcome mail)", DefaultValueFactory = _ => 100 };
        var scenario = new Option<string?>("--scenario")
        {
            Description = "A shipped scenario (clean, complaint-spike, block-wave, bad-list, mailwizz-down, pmta-restart) or a scenario file",
        };
        var secondsPerDay = new Option<double>("--seconds-per-day") { Description = "Real seconds a virtual day takes", DefaultValueFactory = _ => 8 };
        var setupSeconds = new Option<double?>("--setup-seconds")
        {
            Description = "Real seconds allowed to start the processes and register the IPs before day 1 (default 14, plus 0.5 per IP and 2 per extra host; more on a busy machine)",
        };
        var plan = new Option<string?>("--plan") { Description = "Comma-separated daily quotas of a custom plan (default: conservative-70)" };
        var killEach = new Option<bool>("--kill-each") { Description = "SIGKILL the engine, MailWizz and PowerMTA once each mid-run" };
        var restartHost = new Option<bool>("--restart-host") { Description = "SIGKILL the last PowerMTA host half-way through the run and restart it" };
        var campaignDay = new Option<int?>("--campaign-day")
        {
            Description = "On this sending day each tenant sends a regular campaign to its whole list (10:00): MailWizz hands PowerMTA only what the warmup allows",
        };
        var output = new Option<string?>("--out") { Description = "Directory for the run's state, logs, days.csv and chart.svg (default: data/simulations/TIME under the engine's home)" };
        var seed = new Option<int>("--seed") { Description = "Seed of the sign-ups", DefaultValueFactory = _ => 1 };
        var set = new Option<string[]>("--set") { Description = "An engine setting for the run, KEY=VALUE (repeatable), e.g. WARMUP_MIN_SENT=5" };
        var mailWizzDb = new Option<string?>("--mailwizz-db")
        {
            Description = "MailWizz's database (mysql://user:pass@host:port/db with its empty delivery-server tables): the run adds a row per IP, the engine writes their quotas and status, and MailWizz sends within them",
        };
        var command = new Command("simulate", "Run the sending loop end to end on loopback with a virtual clock and check that no IP exceeds its warmup.")
        {
            days, ips, tenants, hosts, contacts, scenario, secondsPerDay, setupSeconds, plan, killEach, restartHost, campaignDay, output, seed, set, mailWizzDb,
        };
        command.SetAction(async (result, ct) =>
        {
            var scenarioPath = result.GetValue(scenario) is { } given
                ? File.Exists(SimulationScenario.Shipped(given)) ? SimulationScenario.Shipped(given) : Path.GetFullPath(given)
                : SimulationScenario.Shipped("clean");
            var options = new SimulationOptions
            {
                Days = result.GetValue(days), Ips = result.GetValue(ips), Tenants = result.GetValue(tenants), Hosts = result.GetValue(hosts), ContactsPerDay = result.GetValue(contacts),
                Scenario = scenarioPath, SecondsPerDay = result.GetValue(secondsPerDay), SetupSeconds = result.GetValue(setupSeconds), KillEach = result.GetValue(killEach), RestartHost = result.GetValue(restartHost), CampaignDay = result.GetValue(campaignDay), Seed = result.GetValue(seed),
                Plan = result.GetValue(plan) is { } quotas ? ParsePlan(quotas) : null, MailWizzDb = result.GetValue(mailWizzDb),
                EngineSettings = (result.GetValue(set) ?? []).Select(pair => pair.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p.Length > 1 ? p[1] : ""),
                OutputDirectory = Path.GetFullPath(result.GetValue(output) ?? Path.Combine(Hosting.SettingsLoader.Home(), "data", "simulations", // runs land with the engine's other data
                    DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture))),
            };
            if (options.Problems() is { Count: > 0 } problems)
            {
                Console.Error.WriteLine($"error: {string.Join("; ", problems)}");
                return 2;
            }
            var loaded = SimulationScenario.Load(scenarioPath);
            var console = AnsiConsole.Console;
            console.MarkupLineInterpolated($"[bold]simulate[/] {options.Days} days, {options.Ips} IPs on {options.Hosts} PowerMTA host(s), {options.Tenants} tenants, {options.ContactsPerDay:N0} sign-ups/day, scenario {loaded.Name}");
            SimulationResult run = null!;
            await console.Progress().AutoClear(true).StartAsync(async progress =>
            {
                var task = progress.AddTask("virtual days", maxValue: 1.0);
                run = await new SimulationDriver(options, loaded, line => console.MarkupLineInterpolated($"[grey]{line}[/]"), fraction => task.Value = fraction)
                    .RunAsync(ct);
            });
            SimulationReport.WriteTable(console, run);
            await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "days.csv"), SimulationReport.Csv(run), ct);
            await File.WriteAllTextAsync(Path.Combine(options.OutputDirectory, "chart.svg"), SimulationReport.Svg(run), ct);
            Summarize(console, run, options);
            return run.Passed ? 0 : 1;
        });
        return command;
    }

    private static IReadOnlyList<int> ParsePlan(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(q => int.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1).ToList();

    private static void Summarize(IAnsiConsole console, SimulationResult run, SimulationOptions options)
    {
        console.MarkupLineInterpolated($"[bold]IPs at the end[/]: {string.Join("; ", run.FinalStatus.Select(s => $"{s.Key} {s.Value}"))}");
        console.MarkupLineInterpolated($"[bold]contacts[/]: {run.Fates.Accepted:N0} accepted: {string.Join(", ", run.Fates.ByFate.OrderByDescending(f => f.Value).Select(f => $"{f.Value:N0} {f.Key}"))}");
        if (run.Fates.Regular.Count > 0)
            console.MarkupLineInterpolated($"[bold]regular campaigns[/]: {run.Fates.Regular.Values.Sum():N0} messages: {string.Join(", ", run.Fates.Regular.OrderByDescending(f => f.Value).Select(f => $"{f.Value:N0} {f.Key}"))}; left the IPs on day(s) {string.Join(", ", run.Fates.RegularDays)}");
        console.MarkupLineInterpolated($"[bold]sent by host/owner[/]: {string.Join(", ", run.SentBy.Select(s => $"{s.Key} {s.Value:N0}"))}");
        console.MarkupLineInterpolated($"[bold]invariants[/] (on the PowerMTA stand-ins' own logs): quota breaches {run.Violations.Count}, tenant leaks {run.Leaks.Count}, lost {run.Fates.Lost.Count}, received twice {run.Fates.ReceivedTwice.Count}, expired in PowerMTA {run.Fates.Expired}");
        foreach (var violation in run.Violations.Take(20))
            console.MarkupLineInterpolated($"[red]  {violation.Vmta} {violation.Scope}: {violation.Sent} sent in the 24 h to {violation.WindowEnd:u}, quota {violation.Quota}[/]");
        foreach (var leak in run.Leaks.Take(20))
            console.MarkupLineInterpolated($"[red]  {leak.Sent} of {(leak.Tenant.Length > 0 ? leak.Tenant : "nobody")}'s mail left through {leak.Vmta}, {leak.Owner}'s IP, from {leak.First:u}[/]");
        foreach (var email in run.Fates.Lost.Take(20))
            console.MarkupLineInterpolated($"[red]  lost: {email}[/]");
        foreach (var email in run.Fates.ReceivedTwice.Take(20))
            console.MarkupLineInterpolated($"[red]  received twice: {email}[/]");
        if (run.Fates.ResentAfterKill.Count > 0)
            console.MarkupLineInterpolated($"[bold]sent again because a kill cut the SMTP handoff[/] (at least once, as real MailWizz and PowerMTA): {run.Fates.ResentAfterKill.Count}; {string.Join("; ", run.Fates.ResentAfterKill.Take(10))}");
        if (run.MailWizzServers is { } servers)
        {
            console.MarkupLineInterpolated($"[bold]MailWizz delivery servers[/] (its database, as the engine left them): {string.Join("; ", servers.Select(s => $"{s.Name} {s.Status} {s.HourlyQuota}/h {s.DailyQuota}/day, sent {string.Join(" ", s.SentPerDay.OrderBy(d => d.Key).Select(d => d.Value))}"))}");
            console.MarkupLineInterpolated($"[bold]upstream[/]: days a server handed PowerMTA more than its IP's quota {run.UpstreamBreaches.Count}");
            foreach (var breach in run.UpstreamBreaches.Take(20))
                console.MarkupLineInterpolated($"[red]  {breach}[/]");
        }
        console.MarkupLineInterpolated($"wall time {run.WallTime.TotalMinutes:0.0} min; table, chart and logs in {options.OutputDirectory}");
        console.MarkupLine(run.Passed ? "[green]PASSED[/]" : "[red]FAILED[/]");
    }
}
