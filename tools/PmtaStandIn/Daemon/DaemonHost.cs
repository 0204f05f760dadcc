using System.Globalization;
using System.Runtime.InteropServices;
using SimulationClock;

namespace PmtaStandIn.Daemon;

/// <summary>
/// `pmta daemon [--config PATH] [--state-dir DIR] [--smtp-port N] [--mgmt-port N] [--scenario FILE]`: SMTP in on
/// 127.0.0.1, deliveries to simulated mailboxes, the management port written to `&lt;state-dir&gt;/pmtad.port`.
/// </summary>
public static class DaemonHost
{
    public const string PortFile = "pmtad.port";

    public static async Task<int> RunAsync(string[] args, string defaultConfig, string defaultStateDir)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] is not ("--config" or "--state-dir" or "--smtp-port" or "--mgmt-port" or "--scenario"))
                return Fail($"pmta daemon: unknown option '{args[i]}'");
            options[args[i]] = args[i + 1];
        }
        if (args.Length % 2 != 0)
            return Fail($"pmta daemon: option '{args[^1]}' needs a value");
        var configPath = options.GetValueOrDefault("--config", defaultConfig);
        var stateDir = Directory.CreateDirectory(options.GetValueOrDefault("--state-dir", defaultStateDir)).FullName;

        Mta mta;
        try
        {
            mta = new Mta(configPath, stateDir, Scenario.Load(options.GetValueOrDefault("--scenario")), ScaledTimeProvider.FromEnvironment());
        }
        catch (ConfigException e)
        {
            return Fail(e.Message);
        }
        using var _ = mta;
        var smtpPort = options.TryGetValue("--smtp-port", out var smtp) ? int.Parse(smtp, CultureInfo.InvariantCulture) : mta.Config.SmtpPort;
        var mgmtPort = options.TryGetValue("--mgmt-port", out var mgmt) ? int.Parse(mgmt, CultureInfo.InvariantCulture) : mta.Config.MgmtPort;

        using var stopping = new CancellationTokenSource();
        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true; // shut down in order: the spool keeps whatever is still queued
            stopping.Cancel();
        }
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

        var smtpServer = SmtpIntake.Create(mta, smtpPort);
        var smtpTask = smtpServer.StartAsync(stopping.Token);
        var portFile = Path.Combine(stateDir, PortFile);
        Microsoft.AspNetCore.Builder.WebApplication? management = null;
        if (mgmtPort != 0)
        {
            management = ManagementApi.Create(mta, mgmtPort, new CliContext(configPath, stateDir));
            await management.StartAsync(stopping.Token);
            await File.WriteAllTextAsync(portFile, mgmtPort.ToString(CultureInfo.InvariantCulture));
        }
        Console.WriteLine($"pmtad: smtp 127.0.0.1:{smtpPort}, mgmt {(mgmtPort == 0 ? "off" : $"127.0.0.1:{mgmtPort}")}, state {stateDir}");

        try
        {
            await mta.RunAsync(stopping.Token);
        }
        finally
        {
            File.Delete(portFile);
            smtpServer.Shutdown();
            if (management is not null)
                await management.StopAsync(CancellationToken.None);
            await Task.WhenAny(smtpTask, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        }
        return 0;
    }

    /// <summary>
    /// Tells a running daemon to reload through its command API; no port file (or nothing listening) means no daemon.
    /// Returns the daemon's error message, or null.
    /// </summary>
    public static async Task<string?> NotifyReloadAsync(string stateDir)
    {
        var portFile = Path.Combine(stateDir, PortFile);
        if (!File.Exists(portFile))
            return null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var form = new MultipartFormDataContent { { new StringContent("reload"), "command" } };
        try
        {
            using var response = await http.PostAsync($"http://127.0.0.1:{File.ReadAllText(portFile).Trim()}/command", form);
            if (response.IsSuccessStatusCode)
                return null;
            using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return body.RootElement.GetProperty("message").GetString();
        }
        catch (HttpRequestException)
        {
            return null; // a port file left by a killed daemon
        }
        catch (TaskCanceledException)
        {
            return $"Error: pmtad did not answer within {http.Timeout.TotalSeconds:0} s; the new configuration may not be in use yet";
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
