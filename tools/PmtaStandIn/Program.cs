using PmtaStandIn;
using PmtaStandIn.Daemon;

// A stand-in for PowerMTA's `pmta` command line, for deployment tests over a real SSH server, and (verb `daemon`) for
// the PowerMTA daemon itself: SMTP in, paced queues, simulated mailbox providers, accounting files (see README.md).
// Environment: PMTA_CONFIG (live config path, /etc/pmta/config), PMTA_STANDIN_DIR (state and log, beside the config).
// Fault injection: a file named fail-<verb> in the state dir (fail-test, fail-reload, fail-status) makes the next call
// of that verb fail (the file is removed), so a rollback's own reload can succeed.
var config = Environment.GetEnvironmentVariable("PMTA_CONFIG") is { Length: > 0 } c ? c : "/etc/pmta/config";
var stateDir = Environment.GetEnvironmentVariable("PMTA_STANDIN_DIR") is { Length: > 0 } d ? d : Path.GetDirectoryName(config)!;
if (args is ["daemon", .. var daemonArgs])
    return await DaemonHost.RunAsync(daemonArgs, config, stateDir);
var verb = string.Join(' ', args);
File.AppendAllText(Path.Combine(stateDir, "pmta.log"), $"{DateTime.UtcNow:O} pmta {verb}\n");
bool Failing(string name)
{
    var marker = Path.Combine(stateDir, $"fail-{name}");
    if (!File.Exists(marker))
        return false;
    File.Delete(marker);
    return true;
}

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
        Console.WriteLine("Configuration reloaded.");
        return 0;
    case "show status":
        if (Failing("status"))
            return Fail("Error: unable to connect to pmtad (injected)");
        Console.WriteLine("PowerMTA v5.0r1 (stand-in), status: running");
        Console.WriteLine($"config: {config}, loaded: {File.Exists(Path.Combine(stateDir, "running-config"))}");
        return 0;
    case "show version" or "--version":
        Console.WriteLine("PowerMTA v5.0r1 (stand-in)");
        return 0;
    default:
        return Fail($"pmta: unknown command '{verb}'");
}

static int Fail(string message)
{
    Console.Error.WriteLine(message);
    return 1;
}
