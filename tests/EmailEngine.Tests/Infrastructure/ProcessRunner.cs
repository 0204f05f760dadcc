using System.Diagnostics;

namespace EmailEngine.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

/// <summary>Runs a real executable (curl, the engine's CLI) and captures its output.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// A .NET program the tests start in a process of its own (an engine, a stand-in, a CLI verb, a benchmark) runs with
    /// the runtime tuning <c>simulate</c> gives its processes (<see cref="EmailEngine.Simulation.SimulationStack.ShortLivedRuntime"/>):
    /// most live a few seconds, compiling new code all along. Measured on 2026-12-07, interleaved: a CLI verb 2.14 s →
    /// 1.94 s of CPU, an engine taking 150 contacts 6.9 s → 5.9 s. The test process keeps the default delay (<c>./test</c>
    /// says why). A new user's empty environment is left as it is.
    /// </summary>
    /// <param name="inheritEnvironment">False: a new user's empty environment, keeping only what the .NET SDK needs
    /// to run at all (PATH to find dotnet, HOME for its package cache), plus <paramref name="environment"/>.</param>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, bool inheritEnvironment = true)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        if (!inheritEnvironment)
        {
            info.Environment.Clear();
            foreach (var name in new[] { "PATH", "HOME" })
                info.Environment[name] = Environment.GetEnvironmentVariable(name) ?? "";
        }
        else if (file == "dotnet")
        {
            foreach (var (name, value) in EmailEngine.Simulation.SimulationStack.ShortLivedRuntime)
                info.Environment[name] = value;
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        return info;
    }

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments,
        IDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null,
        bool inheritEnvironment = true, Action<Process>? started = null)
    {
        var info = StartInfo(file, arguments, environment, workingDirectory, inheritEnvironment);
        using var process = Process.Start(info)!;
        started?.Invoke(process);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs an <c>email-engine</c> verb as its own process, with only the given configuration.</summary>
    public static Task<ProcessResult> EngineAsync(IDictionary<string, string> environment, string workingDirectory, params string[] verb) =>
        EngineAsync(environment, workingDirectory, started: null, timeout: null, verb);

    /// <param name="started">Given the process once it runs (a test that kills it mid-work kills exactly that one).</param>
    /// <param name="timeout">How long before the verb counts as hung (a minute unless given).</param>
    public static Task<ProcessResult> EngineAsync(IDictionary<string, string> environment, string workingDirectory, Action<Process>? started,
        TimeSpan? timeout, params string[] verb)
    {
        var env = new Dictionary<string, string>(environment) { ["DOTNET_NOLOGO"] = "1" };
        foreach (var key in new[] { "API_KEY", "DATABASE_URL", "REDIS_URL", "MAILWIZZ_URL", "MAILWIZZ_API_KEY" })
            env.TryAdd(key, "");
        return RunAsync("dotnet", [TestEnvironment.EngineDll, .. verb], env, workingDirectory, timeout, started: started);
    }
}
