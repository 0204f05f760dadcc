using System.Globalization;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Simulation;

public sealed record SimulationRun(ProcessResult Result, string Output);

/// <summary>
/// The five <c>simulate</c> runs <see cref="SimulateTests"/> judges, scheduled when its collection starts (first, beside
/// the rest of the suite; their processes at real-time priority) in three lanes: the kill run; 6 s later the bounce
/// drift, then the complaint spike; 12 s later the two-host run, then the block wave. All at a virtual day every 16 s but
/// the drift (8 s, its 7 days alone). A test waits for its own run while the others go on. The schedule takes about
/// 2 min 50 s (docs/testing.md). A filter that picks one of the tests still runs all five.
/// </summary>
public sealed class SimulationRuns : IAsyncLifetime
{
    public Task<SimulationRun> BounceDrift { get; private set; } = null!;
    public Task<SimulationRun> KillEach { get; private set; } = null!;
    public Task<SimulationRun> TwoHosts { get; private set; } = null!;
    public Task<SimulationRun> ComplaintSpike { get; private set; } = null!;
    public Task<SimulationRun> BlockWave { get; private set; } = null!;

    /// <summary>MailWizz's delivery servers of the two-host run, as the engine and MailWizz left them.</summary>
    public MariaDatabase TwoHostsMailWizzDb { get; private set; } = null!;

    private bool _realTimePriority;

    public async Task InitializeAsync()
    {
        _realTimePriority = await RealTimePriorityAsync();
        TwoHostsMailWizzDb = await MariaDatabase.CreateAsync();
        var drift = await ScenarioAsync("""
            {
              "seed": 8,
              "default": { "hardBounce": 0, "complaint": 0 },
              "rules": [ { "sourceIp": "203.0.113.1", "fromDay": 2, "toDay": 2, "set": { "hardBounce": 0.3 } } ]
            }
            """);
        var spike = await ScenarioAsync("""
            {
              "seed": 3,
              "default": { "hardBounce": 0, "complaint": 0 },
              "rules": [ { "sourceIp": "203.0.113.2", "fromDay": 2, "set": { "complaint": 0.25, "complaintDelay": "30m" } } ],
              "events": []
            }
            """);
        var blockWave = await ScenarioAsync("""
            {
              "seed": 7,
              "default": { "hardBounce": 0, "complaint": 0 },
              "providers": [ { "name": "microsoft", "domains": ["hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr", "msn.com"], "style": "microsoft" } ],
              "rules": [ { "provider": "microsoft", "fromDay": 2, "toDay": 2, "set": { "block": 0.6 } } ]
            }
            """);

        // The engine is SIGKILLed on day 1 at 13:00 (in the sign-up rush), MailWizz on day 2, PowerMTA on day 3; each
        // restarts on its state, and the warmup still ends on time (day 4 active). A restart takes seconds of real time,
        // more on a shared machine: at 8 s a day beside another run, the engine's took the rest of day 1 (twice in two
        // tries, 0 of 5 sent that day instead of 5). At 16 s a day the same seconds are half the virtual hours: beside the
        // others, its days are whole. The runs that restart something on day 1 (this one, two hosts) have 20 s to set up:
        // three stacks start within 12 s.
        KillEach = RunAsync("kill", "--days", "4", "--ips", "2", "--plan", "5,10,20", "--contacts-per-day", "80",
            "--seconds-per-day", "16", "--setup-seconds", "20", "--kill-each");

        // Beside it, the longest (drift) and the heaviest (two hosts, four IPs), each started a few seconds after the one
        // before so that their processes do not all start at once, then the complaint spike and the block wave. Those two
        // at 8 s a day sent 0–26 of a day 1's 20 or 40 on an IP in four of five tries beside the other lanes; at 16 s, all.
        // Started within seconds of each other, their stacks competed at real-time priority: the block wave's setup took
        // 21–22 s of its 25 in two of eight full runs (4–5 s in the others). It now starts 10 s after the two hosts end.
        // A 7-day hard-bounce drift on one IP, with the 24-hour gates off (a burst would otherwise quarantine first). The
        // burst is large (30 % on one day) so that a few dozen messages always carry it over the 2 % gate. One IP: while
        // it is paused no IP may send, so MailWizz's campaigns are held and nothing it hands over is refused.
        BounceDrift = AfterAsync(Task.CompletedTask, 6, () => RunAsync("drift", "--days", "7", "--ips", "1", "--plan", "40,80,160,320,640,1280,2560,5120",
            "--contacts-per-day", "160", "--seconds-per-day", "8", "--setup-seconds", "15", "--scenario", drift,
            "--set", "WARMUP_MIN_SENT=5", "--set", "WARMUP_BOUNCE_RATE_24H=0.9"));
        // 4 IPs, 2 per host, each host one IP of each tenant; the second host SIGKILLed on day 1 at 16:00, in the sign-up
        // rush. MailWizz's delivery servers are rows of a real MariaDB: the engine writes their quotas, MailWizz sends
        // within them.
        TwoHosts = AfterAsync(Task.CompletedTask, 12, () => RunAsync("hosts", "--days", "3", "--ips", "4", "--hosts", "2", "--tenants", "2", "--contacts-per-day", "60",
            "--seconds-per-day", "16", "--setup-seconds", "20", "--restart-host", "--mailwizz-db", TwoHostsMailWizzDb.Url, "--campaign-day", "2"));
        ComplaintSpike = AfterAsync(BounceDrift, 0, () => RunAsync("spike", "--days", "3", "--ips", "2", "--plan", "20,40,80,160", "--contacts-per-day", "120",
            "--seconds-per-day", "16", "--setup-seconds", "25", "--scenario", spike, "--set", "WARMUP_MIN_SENT=5"));
        BlockWave = AfterAsync(TwoHosts, 10, () => RunAsync("block", "--days", "3", "--ips", "2", "--plan", "40,80,160,320", "--contacts-per-day", "240",
            "--seconds-per-day", "16", "--setup-seconds", "25", "--scenario", blockWave, "--set", "WARMUP_MIN_SENT=5"));
    }

    public async Task DisposeAsync()
    {
        // A filter that picked some of the tests leaves runs no test waited for: they end before their database goes.
        // (xUnit disposes a fixture whose start failed too: what was not made yet is null.)
        foreach (var run in new Task<SimulationRun>?[] { BounceDrift, KillEach, TwoHosts, ComplaintSpike, BlockWave }.OfType<Task<SimulationRun>>())
        {
            await ((Task)run).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // a Task<T> refuses SuppressThrowing
            // Its day table, output and engine log are kept in test-results/; the stack's files go.
            if (run.IsCompletedSuccessfully && Directory.Exists(run.Result.Output))
                Directory.Delete(run.Result.Output, recursive: true);
        }
        if (TwoHostsMailWizzDb is { } database)
            await database.DisposeAsync();
    }

    /// <summary>Starts <paramref name="run"/> <paramref name="seconds"/> after <paramref name="before"/> has ended, passed or failed.</summary>
    private static async Task<SimulationRun> AfterAsync(Task before, double seconds, Func<Task<SimulationRun>> run)
    {
        await before.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        return await run();
    }

    /// <summary>Real-time round-robin at priority 1, with no right to change a thread's priority from there.</summary>
    private static readonly string[] RealTime = ["chrt", "--rr", "1", "setpriv", "--bounding-set=-sys_nice", "--inh-caps=-sys_nice", "--"];

    /// <summary>
    /// Whether this user may run the simulations at real-time priority (<c>chrt --rr 1</c>: root or CAP_SYS_NICE). Their
    /// processes and all they start then take a core whenever they are ready to run, ahead of the rest of the suite, so
    /// the virtual clock sees the machine as if the runs had it alone.
    /// <para>
    /// They run without CAP_SYS_NICE (<c>setpriv</c>): under a real-time policy the .NET runtime maps its thread
    /// priorities into the policy's range, so a process's finalizer ran at real-time priority 56 and its timer and socket
    /// threads at 50, ahead of every other simulation's threads at 1; one of those spinning stopped every stack on its
    /// core (a simulation's driver used 30 s of CPU in 28 s and its engine stood still; a <c>pmta reload</c> 17 s in 10 s).
    /// Without the capability the runtime cannot raise a thread, and every thread stays at 1.
    /// </para>
    /// </summary>
    private static async Task<bool> RealTimePriorityAsync()
    {
        try
        {
            return (await ProcessRunner.RunAsync(RealTime[0], [.. RealTime[1..], "true"])).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no chrt
        }
    }

    /// <summary>
    /// The run with twice the real seconds for a virtual day and for setup, for a user without real-time priority: its
    /// processes then wait for the cores like the rest of the suite's, and a restart or a deployment late by seconds costs
    /// half the virtual hours it would at the planned speed.
    /// </summary>
    private static string[] Slower(string[] arguments) =>
        arguments.Select((value, i) => i > 0 && arguments[i - 1] is "--seconds-per-day" or "--setup-seconds"
            ? (2 * double.Parse(value, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture) : value).ToArray();

    private async Task<SimulationRun> RunAsync(string name, params string[] arguments)
    {
        // Under the temporary directory, in memory when ./test could put it there (a commit's fsync on disk can wait seconds).
        var output = Path.Combine(Path.GetTempPath(), $"simulate-{name}-{Guid.NewGuid():N}");
        string[] simulate = ["dotnet", TestEnvironment.EngineDll, "simulate", "--out", output, .. _realTimePriority ? arguments : Slower(arguments)];
        if (_realTimePriority)
            simulate = [.. RealTime, .. simulate];
        var result = await ProcessRunner.RunAsync(simulate[0], simulate[1..],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["NO_COLOR"] = "1", ["COLUMNS"] = "200" },
            timeout: TimeSpan.FromMinutes(_realTimePriority ? 4 : 8));
        await KeepAsync(name, result, output);
        return new SimulationRun(result, output);
    }

    /// <summary>
    /// Copies what the run printed and its day table to <c>test-results/simulate-NAME/</c>, which outlives the run's
    /// directory: a judgement that fails on a day's figures can then be read against the whole run.
    /// </summary>
    private static async Task KeepAsync(string name, ProcessResult result, string output)
    {
        var kept = Directory.CreateDirectory(Path.Combine(TestEnvironment.RepositoryRoot(), "test-results", $"simulate-{name}")).FullName;
        await File.WriteAllTextAsync(Path.Combine(kept, "output.txt"), result.StdOut + result.StdErr);
        foreach (var file in new[] { "days.csv", "engine.log" }.Select(f => Path.Combine(output, f)).Where(File.Exists))
            File.Copy(file, Path.Combine(kept, Path.GetFileName(file)), overwrite: true);
    }

    private static async Task<string> ScenarioAsync(string json)
    {
        var path = Path.Combine(TestEnvironment.Require("EE_TEST_RUN_DIR"), $"scenario-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, json);
        return path;
    }
}
