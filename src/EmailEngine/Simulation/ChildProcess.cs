using System.Diagnostics;

namespace EmailEngine.Simulation;

/// <summary>One process of the simulated stack, its output appended to a log file; it can be SIGKILLed and started again.</summary>
public sealed class ChildProcess(string name, string file, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
    string logPath) : IDisposable
{
    private Process? _process;
    private readonly Lock _logGate = new();
    private readonly StreamWriter _log = new(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };

    /// <summary>
    /// How long a start may take. An engine needs about 5 s of CPU to answer, but beside the simulations, whose processes
    /// run at real-time priority, one of the push benchmark's engines got 5 s of CPU in 65 s and missed the 60 s this
    /// was (a full run, 2026-12-08): the limit only tells a hung start from a slow one, an exit fails at once.
    /// </summary>
    public static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(120);

    public string Name { get; } = name;
    public bool Running => _process is { HasExited: false };

    public void Start()
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"{Name} did not start");
        _process.OutputDataReceived += (_, e) => Log(e.Data);
        _process.ErrorDataReceived += (_, e) => Log(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Log($"--- {Name} started (pid {_process.Id})");
    }

    /// <summary>SIGTERM, as a service manager stops a process, then waits (<paramref name="timeout"/> at most) for it to exit on its own.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        if (_process is not { HasExited: false } process)
            return;
        using (var signal = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await signal.WaitForExitAsync();
        using var waited = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(waited.Token);
        Log($"--- {Name} stopped (exit {process.ExitCode})");
    }

    /// <summary>SIGKILL: no shutdown of any kind, work in flight is cut wherever it is.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Log($"--- {Name} killed");
        }
    }

    /// <summary>
    /// Waits until <paramref name="probe"/> answers with a success, failing at once if the process exits, and after
    /// <see cref="StartLimit"/> if it neither answers nor exits.
    /// </summary>
    public async Task WaitAnsweringAsync(Uri probe, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var deadline = DateTime.UtcNow + StartLimit; ; await Task.Delay(200, ct))
        {
            if (!Running)
                throw new InvalidOperationException($"{Name} exited{(_process is { } exited ? $" (exit {exited.ExitCode})" : "")}:\n{Tail()}");
            try
            {
                if ((await http.GetAsync(probe, ct)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} did not answer within {StartLimit.TotalSeconds:0} s:\n{Tail()}");
        }
    }

    public string Tail(int lines = 20)
    {
        using var reader = new StreamReader(new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        return string.Join('\n', reader.ReadToEnd().Split('\n').TakeLast(lines));
    }

    private void Log(string? line)
    {
        if (line is null)
            return;
        lock (_logGate)
            _log.WriteLine(line);
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        lock (_logGate)
            _log.Dispose();
    }
}
