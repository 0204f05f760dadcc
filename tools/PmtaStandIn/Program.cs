using PmtaStandIn;
using PmtaStandIn.Daemon;

// A stand-in for PowerMTA's `pmta` command line, for deployment tests over a real SSH server, and (verb `daemon`) for
// the PowerMTA daemon itself: SMTP in, paced queues, simulated mailbox providers, accounting files (see README.md).
// Environment: PMTA_CONFIG (live config path, /etc/pmta/config), PMTA_STANDIN_DIR (state and log, beside the config).
var config = Environment.GetEnvironmentVariable("PMTA_CONFIG") is { Length: > 0 } c ? c : "/etc/pmta/config";
var stateDir = Environment.GetEnvironmentVariable("PMTA_STANDIN_DIR") is { Length: > 0 } d ? d : Path.GetDirectoryName(config)!;
if (args is ["daemon", .. var daemonArgs])
    return await DaemonHost.RunAsync(daemonArgs, config, stateDir);
return await CommandLine.RunAsync(string.Join(' ', args), config, stateDir, Console.Out, Console.Error);
