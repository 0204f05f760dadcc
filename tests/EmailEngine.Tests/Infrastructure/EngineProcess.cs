using System.Diagnostics;
using System.Net.Sockets;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>The engine as its own OS process (<c>email-engine serve</c>), so a test can SIGKILL it mid-work.</summary>
public sealed class EngineProcess : IDisposable
{
    private readonly Process _process;

    private EngineProcess(Process process, Uri baseAddress) => (_process, BaseAddress) = (process, baseAddress);

    public Uri BaseAddress { get; }

    public static async Task<EngineProcess> StartAsync(IDictionary<string, string> environment, int port)
    {
        var info = ProcessRunner.StartInfo("dotnet", [TestEnvironment.EngineDll, "serve"], environment);
        info.Environment["PORT"] = port.ToString();
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var engine = new EngineProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient();
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(engine.BaseAddress, "/health"))).IsSuccessStatusCode)
                    return engine;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        engine.Kill();
        throw new TimeoutException("engine process did not start");
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
