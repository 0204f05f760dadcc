using System.Diagnostics;
using System.Net.Sockets;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>The engine as its own OS process (<c>email-engine serve</c>), so a test can SIGKILL it mid-work.</summary>
public sealed class EngineProcess : IDisposable
{
    private readonly Process _process;

    private EngineProcess(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts the engine on <paramref name="port"/> and waits for its <c>/health</c>. A free port is free when asked, not
    /// when the engine binds it: another process of the suite may take it first, and the engine then exits at once. It is
    /// started again on another port (callers use <see cref="BaseAddress"/>); any other early exit, or no answer within
    /// 60 s, fails with what the engine printed. Beside the simulations and the rest of the suite a start took 19 s once
    /// (its log silent for 16 s of it), so the wait only tells a failed start from a slow one.
    /// </summary>
    public static async Task<EngineProcess> StartAsync(IDictionary<string, string> environment, int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var info = ProcessRunner.StartInfo("dotnet", [TestEnvironment.EngineDll, "serve"], environment);
            info.Environment["PORT"] = port.ToString();
            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => Keep(output, e.Data);
            process.ErrorDataReceived += (_, e) => Keep(output, e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var engine = new EngineProcess(process, new Uri($"http://127.0.0.1:{port}"));
            using var http = new HttpClient();
            for (var i = 0; i < 300 && !process.HasExited; i++)
            {
                try
                {
                    if ((await http.GetAsync(new Uri(engine.BaseAddress, "/health"))).IsSuccessStatusCode && !process.HasExited)
                        return engine;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(200);
            }
            // Whether it exited on its own, read before the kill below makes every process an exited one (exit 137).
            var exited = process.HasExited;
            engine.Kill();
            var printed = string.Join('\n', output);
            if (exited && printed.Contains("address already in use", StringComparison.OrdinalIgnoreCase) && attempt < 3)
            {
                port = LoopbackPorts.Free();
                continue;
            }
            throw new TimeoutException($"engine process did not start on port {port} {(exited ? $"(exit {process.ExitCode})" : "within 60 s")}:\n{printed}");
        }
    }

    /// <summary>The last lines the engine printed, for a start that failed.</summary>
    private static void Keep(System.Collections.Concurrent.ConcurrentQueue<string> output, string? line)
    {
        if (line is null)
            return;
        output.Enqueue(line);
        while (output.Count > 40)
            output.TryDequeue(out _);
    }


    /// <summary>SIGTERM, as a service manager stops it, then waits for the process to exit on its own.</summary>
    public async Task TerminateAsync(TimeSpan timeout)
    {
        using (var signal = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            await signal.WaitForExitAsync();
        using var waited = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(waited.Token);
    }

    /// <summary>SIGKILL: no graceful shutdown, in-flight work is cut wherever it is.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
