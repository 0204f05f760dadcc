using System.Diagnostics;
using System.Text.RegularExpressions;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>The stand-in as its own OS process (<c>dotnet MailWizzStandIn.dll …</c>), so a test can SIGKILL it.</summary>
public sealed partial class StandInProcess : IDisposable
{
    /// <summary>Variables the test runner may carry that would choose the URL or clock for the child.</summary>
    private static readonly string[] Inherited = ["ASPNETCORE_URLS", "DOTNET_URLS", "URLS", "PORT", "ASPNETCORE_HTTP_PORTS", "DOTNET_HTTP_PORTS", "HTTP_PORTS", "EE_CLOCK"];

    private readonly Process _process;

    private StandInProcess(Process process, Uri root) => (_process, Root) = (process, root);

    public Uri Root { get; }

    public static async Task<StandInProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = ProcessRunner.StartInfo("dotnet", [typeof(global::MailWizzStandIn.StandInApp).Assembly.Location, .. args]);
        foreach (var name in Inherited)
            info.Environment.Remove(name);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        var process = Process.Start(info)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            output.Enqueue(e.Data);
            if (Listening().Match(e.Data) is { Success: true } match)
                listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(20)));
        if (started != listening.Task)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the stand-in did not start:\n{string.Join('\n', output)}");
        }
        return new StandInProcess(process, await listening.Task);
    }

    /// <summary>SIGKILL: nothing is flushed or stopped gracefully.</summary>
    public void Kill()
    {
        if (_process.HasExited)
            return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    [GeneratedRegex(@"listening on (http://\S+?):? ")]
    private static partial Regex Listening();
}
