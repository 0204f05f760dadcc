using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>
/// The PowerMTA stand-in daemon as a real process on free loopback ports, with a fast shared clock (EE_CLOCK), its
/// config and state in a temporary directory, and readers for the files that are its ground truth.
/// </summary>
public sealed class PmtaDaemon : IAsyncDisposable
{
    private readonly string _clock;
    private readonly string? _scenarioPath;
    private Process? _process;
    private readonly StringBuilder _output = new();

    private PmtaDaemon(string config, string? scenario, DateTimeOffset virtualStart, double speed)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("pmta-standin-").FullName;
        StateDir = Path.Combine(Directory, "state");
        ConfigPath = Path.Combine(Directory, "config");
        WriteConfig(config);
        if (scenario is not null)
            File.WriteAllText(_scenarioPath = Path.Combine(Directory, "scenario.json"), scenario);
        _clock = FormattableString.Invariant($"{virtualStart.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}@{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}*{speed}");
    }

    public string Directory { get; }
    public string StateDir { get; }
    public string ConfigPath { get; }
    public int SmtpPort { get; private set; }
    public int MgmtPort { get; private set; }
    public string Output => _output.ToString();

    /// <summary>Starts a daemon; <c>{dir}</c> in the config stands for its directory. Speed 3600 = a virtual hour per real second.</summary>
    public static async Task<PmtaDaemon> StartAsync(string config, string? scenario = null, DateTimeOffset? virtualStart = null, double speed = 3600)
    {
        var daemon = new PmtaDaemon(config, scenario, virtualStart ?? new DateTimeOffset(2027, 1, 4, 0, 0, 0, TimeSpan.Zero), speed);
        await daemon.StartProcessAsync();
        return daemon;
    }

    public void WriteConfig(string config) => File.WriteAllText(ConfigPath, config.Replace("{dir}", Directory).Replace("\r\n", "\n"));

    /// <summary>Starts (or restarts, after <see cref="Kill"/>) the process on the same state directory and clock, on new
    /// ports unless <paramref name="samePorts"/> (a client that knows the management port finds it again).</summary>
    public async Task StartProcessAsync(bool samePorts = false)
    {
        if (!samePorts)
            (SmtpPort, MgmtPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var info = ProcessRunner.StartInfo("dotnet", [PmtaHost.StandInDll(), "daemon", "--config", ConfigPath, "--state-dir", StateDir,
            "--smtp-port", SmtpPort.ToString(CultureInfo.InvariantCulture), "--mgmt-port", MgmtPort.ToString(CultureInfo.InvariantCulture)]);
        if (_scenarioPath is not null)
        {
            info.ArgumentList.Add("--scenario");
            info.ArgumentList.Add(_scenarioPath);
        }
        info.Environment["EE_CLOCK"] = _clock;
        info.Environment["DOTNET_NOLOGO"] = "1";
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAsync(() => _process.HasExited || File.Exists(Path.Combine(StateDir, "pmtad.port")), TimeSpan.FromSeconds(20), "the daemon to start");
        Assert.False(_process.HasExited, $"the daemon exited: {Output}");
    }

    /// <summary>SIGKILL: no chance to flush or clean up.</summary>
    public void Kill()
    {
        _process!.Kill();
        _process.WaitForExit();
        File.Delete(Path.Combine(StateDir, "pmtad.port"));
    }

    public async Task SendAsync(string rcpt, IDictionary<string, string>? headers = null, string from = "news@sender.test", string? bindTo = null, string? messageId = null)
    {
        using var client = new SmtpClient();
        if (bindTo is not null)
            client.LocalEndPoint = new IPEndPoint(IPAddress.Parse(bindTo), 0);
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(Message(rcpt, headers, from, messageId));
        await client.DisconnectAsync(true);
    }

    /// <summary>Many messages over one connection (as a real injector does).</summary>
    public async Task SendManyAsync(IEnumerable<(string Rcpt, Dictionary<string, string>? Headers)> messages)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", SmtpPort, SecureSocketOptions.None);
        foreach (var (rcpt, headers) in messages)
            await client.SendAsync(Message(rcpt, headers, "news@sender.test", null));
        await client.DisconnectAsync(true);
    }

    private static MimeMessage Message(string rcpt, IDictionary<string, string>? headers, string from, string? messageId)
    {
        var message = new MimeMessage { Subject = "stand-in test", Body = new TextPart("plain") { Text = "Hello" } };
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(rcpt));
        message.MessageId = messageId ?? $"{Guid.NewGuid():N}@sender.test";
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            message.Headers.Add(name, value);
        return message;
    }

    /// <summary>Runs the stand-in's own `pmta reload` against this daemon's config and state directory.</summary>
    public Task<ProcessResult> ReloadAsync() => ReloadAsync(ConfigPath, StateDir);

    /// <summary>Runs the stand-in's own `pmta reload` on a config and the state directory naming the daemon to notify.</summary>
    public static Task<ProcessResult> ReloadAsync(string configPath, string stateDir) =>
        ProcessRunner.RunAsync("dotnet", [PmtaHost.StandInDll(), "reload"],
            new Dictionary<string, string> { ["PMTA_CONFIG"] = configPath, ["PMTA_STANDIN_DIR"] = stateDir, ["DOTNET_NOLOGO"] = "1" });

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var http = new HttpClient();
        return JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{MgmtPort}{path}")).RootElement.Clone();
    }

    public async Task<DateTimeOffset> VirtualNowAsync() =>
        DateTimeOffset.Parse((await GetJsonAsync("/status?format=json")).GetProperty("data").GetProperty("status").GetProperty("timeNow").GetString()!, CultureInfo.InvariantCulture);

    public List<Dictionary<string, string>> Deliveries() => ReadCsv(Path.Combine(StateDir, "deliveries.csv"));
    public List<Dictionary<string, string>> Mailboxes() => ReadCsv(Path.Combine(StateDir, "mailboxes.csv"));

    /// <summary>Rows of a CSV file keyed by its header row (RFC 4180, no embedded line breaks).</summary>
    public static List<Dictionary<string, string>> ReadCsv(string path)
    {
        if (!File.Exists(path))
            return [];
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
            return [];
        var header = SplitCsv(lines[0]);
        return lines.Skip(1).Select(line =>
        {
            var fields = SplitCsv(line);
            Assert.Equal(header.Count, fields.Count);
            return header.Zip(fields).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
    }

    public static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            if (quoted && line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"')
                field.Append(line[i++]);
            else if (line[i] == '"')
                quoted = !quoted;
            else if (line[i] == ',' && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
                field.Append(line[i]);
        }
        fields.Add(field.ToString());
        return fields;
    }

    public static DateTimeOffset Time(Dictionary<string, string> row) => Time(row, "time");

    public static DateTimeOffset Time(Dictionary<string, string> row, string column) =>
        DateTimeOffset.Parse(row[column], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The largest number of sends that fall in one window of the given length (windows [t, t + length)).</summary>
    public static int BusiestWindow(IEnumerable<DateTimeOffset> times, TimeSpan length)
    {
        var sorted = times.Order().ToList();
        var busiest = 0;
        for (int first = 0, last = 0; first < sorted.Count; first++)
        {
            while (last < sorted.Count && sorted[last] < sorted[first] + length)
                last++;
            busiest = Math.Max(busiest, last - first);
        }
        return busiest;
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }


    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
