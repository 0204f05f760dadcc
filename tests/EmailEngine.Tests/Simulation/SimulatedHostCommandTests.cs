using EmailEngine.Simulation;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.PmtaStandIn;

namespace EmailEngine.Tests.Simulation;

/// <summary>
/// The <c>pmta</c> command of a simulated host: with its daemon up, the daemon runs the verb (<c>POST /cli</c>, no
/// runtime started per call); with it down, the stand-in's own command line. Either way the engine sees what the command
/// line prints and its exit code.
/// </summary>
public sealed class SimulatedHostCommandTests
{
    private static readonly string[][] Verbs = [["show", "version"], ["show", "status"], ["test", "config"], ["reload"], ["frobnicate"]];

    [Fact]
    public async Task The_pmta_command_answers_as_the_stand_ins_command_line_with_its_daemon_up_and_down()
    {
        var work = Directory.CreateTempSubdirectory("ee-simhost-").FullName;
        try
        {
            var clock = new Dictionary<string, string>
            {
                [SimulationClock.ScaledTimeProvider.Variable] = $"2027-01-04T00:00:00Z@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}*3600",
            };
            var host = await SimulatedHost.CreateAsync("default", Path.Combine(work, "pmta-1"), PmtaHost.StandInDll(),
                Path.Combine(TestEnvironment.RepositoryRoot(), "tools", "PmtaStandIn", "scenarios", "clean.json"), clock, CancellationToken.None);
            var portFile = Path.Combine(host.State, "pmtad.port");
            // With the daemon up the command runs without dotnet on its PATH: had it fallen back to the command line, it
            // would have failed (exit 127) instead of answering.
            var withoutDotnet = Directory.CreateDirectory(Path.Combine(work, "bin")).FullName;
            foreach (var tool in new[] { "cat", "curl", "tail", "sed" })
                File.CreateSymbolicLink(Path.Combine(withoutDotnet, tool), $"/usr/bin/{tool}");
            using (host.Process)
            {
                host.Process.Start();
                await PmtaDaemon.WaitUntilAsync(() => File.Exists(portFile) || !host.Process.Running, TimeSpan.FromSeconds(30), "the daemon to start");
                Assert.True(host.Process.Running, host.Process.Tail());

                await AnswersAsTheCommandLineAsync(host, withoutDotnet);
                Assert.Contains("Configuration reloaded.", (await Run(host.Command, ["reload"], withoutDotnet)).StdOut);
                Assert.True(File.Exists(Path.Combine(host.State, "running-config")));
                // A failing verb fails the same way through the daemon: its error on stderr, exit 1.
                await File.AppendAllTextAsync(host.Config, "<virtual-mta broken>\n");
                var refused = await Run(host.Command, ["test", "config"], withoutDotnet);
                Assert.Equal(1, refused.ExitCode);
                Assert.StartsWith("Error in line", refused.StdErr);
                Assert.Equal("", refused.StdOut);
                var injected = Path.Combine(host.State, "fail-status");
                await File.WriteAllTextAsync(injected, "");
                Assert.Equal((1, "Error: unable to connect to pmtad (injected)"), await ExitAndErrorAsync(host, ["show", "status"], withoutDotnet));
                Assert.False(File.Exists(injected));
            }

            // The daemon SIGKILLed: its port file stays behind, nothing answers, and the command line runs the verb itself.
            Assert.True(File.Exists(portFile));
            await File.WriteAllTextAsync(host.Config, (await File.ReadAllTextAsync(host.Config)).Replace("<virtual-mta broken>\n", ""));
            await AnswersAsTheCommandLineAsync(host, path: null);
            var log = await File.ReadAllLinesAsync(Path.Combine(host.State, "pmta.log"));
            Assert.Equal(4 * Verbs.Length + 3, log.Length); // every call logged once, whoever ran the verb
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Each verb through the host's command and straight through the stand-in: the same output and exit code.</summary>
    private static async Task AnswersAsTheCommandLineAsync(SimulatedHost host, string? path)
    {
        foreach (var verb in Verbs)
        {
            var viaHost = await Run(host.Command, verb, path);
            var direct = await ProcessRunner.RunAsync("dotnet", [PmtaHost.StandInDll(), .. verb],
                new Dictionary<string, string> { ["PMTA_CONFIG"] = host.Config, ["PMTA_STANDIN_DIR"] = host.State, ["DOTNET_NOLOGO"] = "1" });
            Assert.Equal((direct.ExitCode, direct.StdOut, direct.StdErr), (viaHost.ExitCode, viaHost.StdOut, viaHost.StdErr));
        }
    }

    private static async Task<(int, string)> ExitAndErrorAsync(SimulatedHost host, string[] verb, string path)
    {
        var result = await Run(host.Command, verb, path);
        return (result.ExitCode, result.StdErr.Trim());
    }

    /// <summary>As sshd runs it: an empty environment but PATH (<paramref name="path"/> when given) and HOME.</summary>
    private static Task<ProcessResult> Run(string command, string[] verb, string? path = null) =>
        ProcessRunner.RunAsync(command, verb, path is null ? null : new Dictionary<string, string> { ["PATH"] = path }, inheritEnvironment: false);
}
