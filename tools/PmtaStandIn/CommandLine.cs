using PmtaStandIn.Daemon;

namespace PmtaStandIn;

/// <summary>
/// The `pmta` verbs (test config, reload, show status, show version), run either by the `pmta` process itself or by a
/// running daemon for a thin client (`POST /cli` on its management port), as PowerMTA's own command line asks its
/// daemon: same code, same output, same fault injection. Output goes to <paramref name="stdout"/> on success and to
/// <paramref name="stderr"/> with exit code 1 on failure.
/// Fault injection: a file named fail-&lt;verb&gt; in the state dir (fail-test, fail-reload, fail-status) makes the next call
/// of that verb fail (the file is removed), so a rollback's own reload can succeed.
/// </summary>
public static class CommandLine
{
    public static async Task<int> RunAsync(string verb, string config, string stateDir, TextWriter stdout, TextWriter stderr)
    {
        await File.AppendAllTextAsync(Path.Combine(stateDir, "pmta.log"), $"{DateTime.UtcNow:O} pmta {verb}\n");
        switch (verb)
        {
            case "test config":
                if (Failing("test"))
                    return Fail($"Error in line 1 of {config}: injected failure");
                return ConfigChecker.Check(config) is { } error ? Fail(error) : 0;
            case "reload":
                if (Failing("reload"))
                    return Fail("Error: reload failed (injected); the previous configuration is still in use");
                if (ConfigChecker.Check(config) is { } invalid)
                    return Fail($"{invalid}\nConfiguration not reloaded; the previous configuration is still in use");
                File.Copy(config, Path.Combine(stateDir, "running-config"), overwrite: true);
                if (await DaemonHost.NotifyReloadAsync(stateDir) is { } refused)
                    return Fail(refused);
                await stdout.WriteLineAsync("Configuration reloaded.");
                return 0;
            case "show status":
                if (Failing("status"))
                    return Fail("Error: unable to connect to pmtad (injected)");
                await stdout.WriteLineAsync("PowerMTA v5.0r1 (stand-in), status: running");
                await stdout.WriteLineAsync($"config: {config}, loaded: {File.Exists(Path.Combine(stateDir, "running-config"))}");
                return 0;
            case "show version" or "--version":
                await stdout.WriteLineAsync("PowerMTA v5.0r1 (stand-in)");
                return 0;
            default:
                return Fail($"pmta: unknown command '{verb}'");
        }

        bool Failing(string name)
        {
            var marker = Path.Combine(stateDir, $"fail-{name}");
            if (!File.Exists(marker))
                return false;
            File.Delete(marker);
            return true;
        }

        int Fail(string message)
        {
            stderr.WriteLine(message);
            return 1;
        }
    }
}
