using EmailEngine.Simulation;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// The engine as its own OS process (<c>email-engine serve</c>), so a test can stop it (SIGTERM) or SIGKILL it
/// mid-work. What it prints goes to a log file, whose last lines a failed start reports.
/// </summary>
public sealed class EngineProcess : IDisposable
{
    private readonly ChildProcess _process;
    private readonly string _log;

    private EngineProcess(ChildProcess process, string log, Uri baseAddress) => (_process, _log, BaseAddress) = (process, log, baseAddress);

    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts the engine on <paramref name="port"/> and waits for its <c>/health</c>. A free port is free when asked, not
    /// when the engine binds it: another process of the suite may take it first, and the engine then exits at once. It is
    /// started again on another port (callers use <see cref="BaseAddress"/>); any other early exit, or no answer within
    /// <see cref="ChildProcess.StartLimit"/>, fails with what the engine printed.
    /// </summary>
    public static async Task<EngineProcess> StartAsync(IDictionary<string, string> environment, int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            var settings = new Dictionary<string, string>(SimulationStack.ShortLivedRuntime);
            foreach (var (key, value) in environment)
                settings[key] = value;
            settings["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var log = Path.Combine(Path.GetTempPath(), $"ee-engine-{Guid.NewGuid():N}.log");
            var engine = new EngineProcess(new ChildProcess("engine", "dotnet", [TestEnvironment.EngineDll, "serve"], settings, log), log,
                new Uri($"http://127.0.0.1:{port}"));
            try
            {
                engine._process.Start();
                await engine._process.WaitAnsweringAsync(new Uri(engine.BaseAddress, "/health"), CancellationToken.None);
                if (!engine._process.Running) // answered by whatever took the port while this engine was exiting
                    throw new InvalidOperationException($"engine exited as /health answered:\n{engine._process.Tail()}");
                return engine;
            }
            catch (InvalidOperationException exited) when (attempt < 3 && exited.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                engine.Dispose();
                port = LoopbackPorts.Free();
            }
            catch
            {
                engine.Dispose();
                throw;
            }
        }
    }

    /// <summary>SIGTERM, as a service manager stops it, then waits for the process to exit on its own.</summary>
    public Task TerminateAsync(TimeSpan timeout) => _process.TerminateAsync(timeout);

    /// <summary>SIGKILL: no graceful shutdown, in-flight work is cut wherever it is.</summary>
    public void Kill() => _process.Kill();

    public void Dispose()
    {
        _process.Dispose();
        File.Delete(_log);
    }
}
