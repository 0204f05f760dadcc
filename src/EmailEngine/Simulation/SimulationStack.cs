using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SimulationClock;

namespace EmailEngine.Simulation;

/// <summary>
/// The sending stack on free loopback ports, sharing one virtual clock (<c>EE_CLOCK</c>): the engine (<c>serve</c>,
/// embedded SQLite), the MailWizz stand-in with one smtp-pmta delivery server per IP (to its IP's host, choosing its
/// virtual MTA), and one PowerMTA stand-in daemon per host, each reached by the engine over one throw-away OpenSSH
/// server on 127.0.0.1 for deployments and accounting pulls, as in production.
/// </summary>
public sealed class SimulationStack : IAsyncDisposable
{
    public const string OperatorKey = "simulation-operator-key";
    public const string MailWizzKey = "simulation-mailwizz-key";
    /// <summary>The clock's start, day 0 for the stand-ins' scenarios; sending day 1 starts a virtual day later.</summary>
    public static readonly DateTimeOffset VirtualStart = new(2027, 1, 3, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset DayOne = VirtualStart.AddDays(1);

    /// <summary>The sending day (1 from <see cref="DayOne"/>) a virtual instant falls on.</summary>
    public static int SendingDayOf(DateTimeOffset at) => (int)Math.Floor((at - DayOne).TotalDays) + 1;

    private readonly List<ChildProcess> _all = [];

    private SimulationStack(string work, ScaledTimeProvider clock) => (Work, Clock) = (work, clock);

    public string Work { get; }
    public ScaledTimeProvider Clock { get; }
    public Uri Engine { get; private set; } = null!;
    public Uri MailWizz { get; private set; } = null!;
    public ChildProcess EngineProcess { get; private set; } = null!;
    public ChildProcess MailWizzProcess { get; private set; } = null!;
    /// <summary>The PowerMTA hosts; the first is the engine's default host (its <c>PMTA_SSH_*</c> settings).</summary>
    public IReadOnlyList<SimulatedHost> Hosts { get; private set; } = [];
    internal ThrowawaySshd Ssh { get; private set; } = null!;
    /// <summary>MailWizz's database (a MySqlConnector connection string) when the run has one.</summary>
    public string? MailWizzDb { get; private set; }

    /// <summary>The host IP number <paramref name="ip"/> (from 1) is on: the IPs in consecutive blocks, so that every host
    /// carries every tenant's IPs when tenants take the IPs in turn.</summary>
    public SimulatedHost HostOf(int ip, int ips) => Hosts[(ip - 1) * Hosts.Count / ips];

    /// <summary>
    /// The runtime's tuning for processes that live a minute: no profile-guided tier (its instrumented code and the
    /// recompilation after it cost more than they return in a run this short), and methods recompiled only once two
    /// seconds pass without new code. The engine's CPU in a 3-day run went from about 31 s to 19 s, the whole stack's
    /// from 49 s to 29 s (2026-12-06, docs/simulation.md), which leaves the machine room to keep the clock. And a
    /// thread-pool worker out of work blocks at once instead of spinning first: on a virtual clock the processes wake on
    /// short timers all the time (the stack's CPU in the same run: 31–32 s with the spin, 27–29 s without).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> ShortLivedRuntime = new Dictionary<string, string>
    {
        ["DOTNET_TieredPGO"] = "0", ["DOTNET_TC_CallCountingDelayMs"] = "2000", ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
    };

    public static async Task<SimulationStack> StartAsync(SimulationOptions options, string scenarioPath, CancellationToken ct)
    {
        var work = Directory.CreateDirectory(options.OutputDirectory).FullName;
        // Anchored so that day 1 starts the setup allowance from now: scenario day N is the Nth sending day at any speed.
        var anchor = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(options.SetupAllowance) - TimeSpan.FromDays(1) / options.Speed;
        var stack = new SimulationStack(work, new ScaledTimeProvider(VirtualStart, anchor, options.Speed));
        try
        {
            await stack.StartAllAsync(options, scenarioPath, ct);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private async Task StartAllAsync(SimulationOptions options, string scenarioPath, CancellationToken ct)
    {
        var (pmtaDll, mailWizzDll) = (StandIns.Find("PmtaStandIn"), StandIns.Find("MailWizzStandIn"));
        var (mailWizzPort, enginePort) = (Common.LoopbackPorts.Free(), Common.LoopbackPorts.Free());
        Ssh = await ThrowawaySshd.StartAsync(Path.Combine(Work, "ssh"), ct);
        _all.Add(Ssh.Process);
        var clock = new Dictionary<string, string>(ShortLivedRuntime) { [ScaledTimeProvider.Variable] = Clock.Spec, ["DOTNET_NOLOGO"] = "1" };
        var hosts = new List<SimulatedHost>();
        for (var i = 1; i <= options.Hosts; i++)
        {
            var host = await SimulatedHost.CreateAsync(i == 1 ? PowerMta.Deploy.PmtaHostOptions.DefaultName : $"pmta-{i}", Path.Combine(Work, $"pmta-{i}"),
                pmtaDll, scenarioPath, clock, ct);
            Add(host.Process);
            hosts.Add(host);
        }
        Hosts = hosts;

        // MailWizz as the operator sets it up: one delivery server per IP, server_id N for the Nth IP (vmta-N in a fresh
        // database), to its host, choosing its virtual MTA; each campaign limited to the servers the engine names.
        var servers = Enumerable.Range(1, options.Ips).Select(ip => new
        {
            name = $"EE vmta-{ip}", server_id = ip, hostname = "127.0.0.1", port = HostOf(ip, options.Ips).SmtpPort,
            additional_headers = new[] { new { name = "X-Virtual-MTA", value = $"vmta-{ip}" } },
        });
        var serversFile = Path.Combine(Work, "delivery-servers.json");
        await File.WriteAllTextAsync(serversFile, System.Text.Json.JsonSerializer.Serialize(servers), ct);
        string[] serverRows = [];
        if (options.MailWizzDb is { } url)
        {
            MailWizzDb = EmailEngine.MailWizz.DeliveryServers.DeliveryServerOptions.ParseUrl(url);
            await MailWizzServerRows.CreateAsync(MailWizzDb, servers.Select(s => (s.server_id, s.name, s.port)).ToList(), ct);
            serverRows = ["--mailwizz-db", MailWizzDb, "--mailwizz-db-prefix", MailWizzServerRows.Prefix];
        }
        MailWizz = new Uri($"http://127.0.0.1:{mailWizzPort}");
        MailWizzProcess = Add(new ChildProcess("mailwizz", "dotnet",
            [mailWizzDll, "--urls", MailWizz.ToString().TrimEnd('/'), "--api-key", MailWizzKey, "--delivery-servers", serversFile,
             "--can-select-delivery-servers", "true", "--state-dir", Path.Combine(Work, "mailwizz"), .. serverRows],
            clock, Path.Combine(Work, "mailwizz.log")));
        Engine = new Uri($"http://127.0.0.1:{enginePort}");
        var engineHome = Directory.CreateDirectory(Path.Combine(Work, "engine")).FullName;
        var defaultHost = Hosts[0];
        var engineSettings = new Dictionary<string, string>(clock)
            {
                ["EMAIL_ENGINE_HOME"] = engineHome, ["API_KEY"] = OperatorKey, ["PORT"] = $"{enginePort}", ["IPS_COUNT"] = "5",
                ["MAILWIZZ_URL"] = new Uri(MailWizz, "/api").ToString(), ["MAILWIZZ_API_KEY"] = MailWizzKey, ["MAILWIZZ_REQUESTS_PER_SECOND"] = "200",
                ["SENDER_FROM_NAME"] = "Simulation", ["SENDER_FROM_EMAIL"] = "hello@sim.example", ["COMPANY_NAME"] = "Simulation SARL",
                ["COMPANY_ADDRESS"] = "1 rue de la Paix", ["COMPANY_CITY"] = "Paris", ["COMPANY_ZIP"] = "75002", ["COMPANY_COUNTRY"] = "France",
                ["PMTA_SSH_HOST"] = "127.0.0.1", ["PMTA_SSH_PORT"] = $"{Ssh.Port}", ["PMTA_SSH_USER"] = Ssh.User, ["PMTA_SSH_KEY_FILE"] = Ssh.ClientKey,
                ["PMTA_SSH_HOST_KEY"] = Ssh.HostKeyFingerprint, ["PMTA_CONFIG_PATH"] = defaultHost.Config, ["PMTA_COMMAND"] = defaultHost.Command,
                ["PMTA_DKIM_DIR"] = defaultHost.DkimDirectory, ["PMTA_RELAY_SOURCES"] = "127.0.0.1", ["ACCT_REMOTE_FILE"] = defaultHost.AcctFile,
                ["PMTA_MGMT_PORT"] = $"{defaultHost.MgmtPort}",
                // Background work in virtual time: often enough to keep up with the day, rarely enough not to spin.
                ["OUTBOX_POLL_MS"] = "300000", ["OUTBOX_LEASE_SECONDS"] = "604800", ["ACCT_PULL_INTERVAL_SECONDS"] = "7200",
                ["WARMUP_CHECK_SECONDS"] = "900", ["PMTA_RECONCILE_SECONDS"] = "21600", ["ADMISSION_PUMP_SECONDS"] = "3600",
                ["MAILWIZZ_CHECK_SECONDS"] = "43200", ["ALERT_HEALTH_SECONDS"] = "21600", ["ALERT_SEND_SECONDS"] = "3600",
                ["MAILWIZZ_DB_SYNC_SECONDS"] = "900", ["PMTA_STATUS_SECONDS"] = "21600",
                // No DNS on the simulated loopback: blocklist sweeps and DNS checks would only time out, thousands of times a run.
                ["BLOCKLIST_MONITOR"] = "off", ["DNS_CHECK_HOURS"] = "0",
            };
        if (options.MailWizzDb is { } mailWizzDb)
            (engineSettings["MAILWIZZ_DB_URL"], engineSettings["MAILWIZZ_DB_TABLE_PREFIX"]) = (mailWizzDb, MailWizzServerRows.Prefix);
        foreach (var (key, value) in options.EngineSettings)
            engineSettings[key] = value;
        EngineProcess = Add(new ChildProcess("engine", "dotnet", [typeof(SimulationStack).Assembly.Location, "serve"], engineSettings,
            Path.Combine(Work, "engine.log")));
        foreach (var process in Hosts.Select(h => h.Process).Append(MailWizzProcess).Append(EngineProcess))
            process.Start();
        await WaitUntilUpAsync(ct);
    }

    /// <summary>SIGKILLs one process and starts it again on the same ports, state and clock.</summary>
    public async Task KillAndRestartAsync(ChildProcess process, CancellationToken ct)
    {
        process.Kill();
        process.Start();
        await WaitUntilUpAsync(ct);
    }

    public async Task WaitUntilUpAsync(CancellationToken ct)
    {
        await EngineProcess.WaitAnsweringAsync(new Uri(Engine, "/health"), ct);
        await MailWizzProcess.WaitAnsweringAsync(new Uri(MailWizz, "/_standin/outbox"), ct);
        if (Hosts.FirstOrDefault(h => !h.Process.Running) is { } down)
            throw new InvalidOperationException($"{down.Process.Name} exited:\n{down.Process.Tail()}");
    }

    /// <summary>Every attempt any host made (their deliveries.csv): the ground truth of what left the IPs.</summary>
    public List<SendAttempt> Attempts() => Hosts.SelectMany(h => SendingLog.Attempts(h.State, h.Name)).ToList();

    public List<Complaint> Complaints() => Hosts.SelectMany(h => SendingLog.Complaints(h.AcctDirectory)).ToList();

    /// <summary>Every copy the mailboxes received, whichever host delivered it.</summary>
    public List<MailboxCopy> Received() => Hosts.SelectMany(h => SendingLog.Received(h.State, h.Name)).ToList();

    public HashSet<CampaignCopy> Spooled() => Hosts.SelectMany(h => SendingLog.Spooled(h.State)).ToHashSet();

    private ChildProcess Add(ChildProcess process)
    {
        _all.Add(process);
        return process;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var process in Enumerable.Reverse(_all))
            process.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// One simulated PowerMTA host: its daemon (own SMTP and management ports, state directory, spool and accounting),
/// its first config, and the <c>pmta</c> command the engine runs over SSH for it. <see cref="Name"/> is the engine's.
/// </summary>
public sealed record SimulatedHost(string Name, string State, int SmtpPort, int MgmtPort, string Config, string Command, ChildProcess Process)
{
    public string AcctDirectory => Path.Combine(State, "acct");
    public string AcctFile => Path.Combine(AcctDirectory, "acct.csv");
    public string DkimDirectory => Path.Combine(State, "dkim");

    internal static async Task<SimulatedHost> CreateAsync(string name, string state, string pmtaDll, string scenarioPath,
        IReadOnlyDictionary<string, string> clock, CancellationToken ct)
    {
        foreach (var folder in new[] { "etc", "acct", "dkim" })
            Directory.CreateDirectory(Path.Combine(state, folder));
        var (smtpPort, mgmtPort) = (Common.LoopbackPorts.Free(), Common.LoopbackPorts.Free());
        // A first config of the operator's: the engine takes the host over at its first deployment.
        var config = Path.Combine(state, "etc", "config");
        await File.WriteAllTextAsync(config, $"""
            # The simulated host's first config; the engine's first deployment replaces it.
            postmaster postmaster@sim.example
            host-name {name}.sim.example
            smtp-listener 127.0.0.1:{smtpPort}
            <source 127.0.0.1>
                always-allow-relaying yes
                process-x-virtual-mta yes
                smtp-service yes
            </source>
            <acct-file {Path.Combine(state, "acct")}/acct.csv>
                records d,b,t,f
            </acct-file>

            """, ct);
        var command = Path.Combine(state, "pmta");
        // The running daemon runs the verb itself (its management port's POST /cli), as PowerMTA's command line asks its
        // daemon: no runtime to start per call (about 0.05 s of CPU each, some 190 calls in the suite's five runs).
        // Without a daemon (or curl), the stand-in's own command line. sshd starts the command with an empty environment:
        // the stack's runtime tuning is spelled out here. And on one core: it inherits the stack's real-time priority, and
        // twice in one run of the suite a `pmta reload` spun on both cores for 8-10 s (13-17 s of CPU instead of 0.15 s),
        // while every stack's engine stood still.
        var runtime = string.Concat(SimulationStack.ShortLivedRuntime.Select(setting => $"{setting.Key}={setting.Value} "));
        var oneCore = string.Concat(OneCore.Prefix().Select(word => $"{word} "));
        await File.WriteAllTextAsync(command, $$"""
            #!/bin/sh
            port=$(cat '{{Path.Combine(state, "pmtad.port")}}' 2>/dev/null)
            if [ -n "$port" ] && command -v curl >/dev/null 2>&1; then
              answer=$(curl -s -m 30 --data-urlencode "verb=$*" -w '\n%{http_code}' "http://127.0.0.1:$port/cli")
              code=$(printf '%s\n' "$answer" | tail -n 1)
              body=$(printf '%s\n' "$answer" | sed '$d')
              case "$code" in
                200) [ -z "$body" ] || printf '%s\n' "$body"; exit 0 ;;
                422) printf '%s\n' "$body" >&2; exit 1 ;;
              esac
            fi
            PMTA_CONFIG='{{config}}' PMTA_STANDIN_DIR='{{state}}' DOTNET_NOLOGO=1 {{runtime}}exec {{oneCore}}dotnet '{{pmtaDll}}' "$@"

            """, ct);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(command, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var process = new ChildProcess($"powermta {name}", "dotnet",
            [pmtaDll, "daemon", "--config", config, "--state-dir", state, "--smtp-port", $"{smtpPort}", "--mgmt-port", $"{mgmtPort}", "--scenario", scenarioPath],
            clock, Path.Combine(Path.GetDirectoryName(state)!, $"powermta-{name}.log"));
        return new SimulatedHost(name, state, smtpPort, mgmtPort, config, command, process);
    }
}

/// <summary>The stand-ins' builds in this checkout (simulate runs from a source checkout).</summary>
internal static class StandIns
{
    public static string Find(string name)
    {
        var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "EmailEngine.slnx")))
                continue;
            var project = Path.Combine(dir.FullName, "tools", name);
            var dll = Path.Combine(project, "bin", configuration, "net10.0", $"{name}.dll");
            if (!File.Exists(dll))
                Build(project, configuration);
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"{name} did not build: run `dotnet build {project} -c {configuration}`");
        }
        throw new FileNotFoundException("simulate runs from a source checkout (it needs tools/PmtaStandIn and tools/MailWizzStandIn)");
    }

    /// <summary>A fresh clone has built the engine only (./run): build a stand-in the first time it is needed.</summary>
    private static void Build(string project, string configuration)
    {
        Console.Error.WriteLine($"building {project} …");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "build", project, "-c", configuration, "-nologo", "-v", "q" })
            info.ArgumentList.Add(argument);
        using var build = System.Diagnostics.Process.Start(info)!;
        build.StandardOutput.ReadToEnd();
        build.WaitForExit();
    }
}

/// <summary>
/// An OpenSSH server of the simulation's own on a free 127.0.0.1 port: its own host key, one client key, the current
/// user only. The engine deploys and pulls accounting through it exactly as it does to a real PowerMTA host.
/// </summary>
internal sealed record ThrowawaySshd(ChildProcess Process, int Port, string User, string ClientKey, string HostKeyFingerprint)
{
    public static async Task<ThrowawaySshd> StartAsync(string directory, CancellationToken ct)
    {
        const string sshd = "/usr/sbin/sshd";
        if (!File.Exists(sshd))
            throw new FileNotFoundException("simulate needs OpenSSH's server (apt-get install openssh-server): the engine reaches PowerMTA over SSH");
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory("/run/sshd");
        foreach (var key in new[] { "host_key", "client_key" })
        {
            var made = await RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", Path.Combine(directory, key)], ct);
            if (made != 0)
                throw new InvalidOperationException($"ssh-keygen failed ({made})");
        }
        File.Copy(Path.Combine(directory, "client_key.pub"), Path.Combine(directory, "authorized_keys"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(directory, "authorized_keys"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var port = Common.LoopbackPorts.Free();
        var configPath = Path.Combine(directory, "sshd_config");
        await File.WriteAllTextAsync(configPath, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {directory}/host_key
            PidFile {directory}/sshd.pid
            AuthorizedKeysFile {directory}/authorized_keys
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            Subsystem sftp internal-sftp
            # bash run by sshd reads ~/.bashrc unless it believes it is a nested shell: a .bashrc that runs tools (pyenv
            # init…) cost ~0.7 s per remote command, hours of virtual time per deployment
            SetEnv SHLVL=1
            # The engine's SSH library computes the post-quantum key exchange OpenSSH prefers (sntrup761) in managed code:
            # ~0.1 s of CPU per connection, a third of the engine's CPU in a run (63 s -> 41 s). The run's secrets are throw-away.
            KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org

            """, ct);
        var process = new ChildProcess("sshd", sshd, ["-D", "-e", "-f", configPath], new Dictionary<string, string>(), Path.Combine(directory, "sshd.log"));
        process.Start();
        var blob = Convert.FromBase64String((await File.ReadAllTextAsync(Path.Combine(directory, "host_key.pub"), ct)).Split(' ')[1]);
        var fingerprint = "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
        for (var i = 0; i < 50; i++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port, ct);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(100, ct);
            }
        }
        return new ThrowawaySshd(process, port, Environment.UserName, Path.Combine(directory, "client_key"), fingerprint);
    }

    private static async Task<int> RunAsync(string file, string[] arguments, CancellationToken ct)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.WaitForExitAsync(ct);
        return process.ExitCode;
    }
}
