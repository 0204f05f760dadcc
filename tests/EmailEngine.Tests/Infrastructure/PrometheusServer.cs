using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's <c>/usr/bin/prometheus</c>) on a free 127.0.0.1 port with its own data directory,
/// scraping one target every second.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private PrometheusServer(Process process, string directory, Uri address) => (_process, _directory, Address) = (process, directory, address);

    public Uri Address { get; }

    /// <param name="target">host:port of the engine.</param>
    /// <param name="bearer">Sent as <c>Authorization: Bearer …</c> (the operator key), or none.</param>
    public static async Task<PrometheusServer> StartAsync(string target, string? bearer, string path = "/metrics")
    {
        const string binary = "/usr/bin/prometheus";
        if (!File.Exists(binary))
            throw new FileNotFoundException("prometheus is not installed: run the suite with ./test, which installs it");
        var directory = Directory.CreateTempSubdirectory("ee-prometheus-").FullName;
        var auth = bearer is null ? "" : $"""

                authorization:
                  type: Bearer
                  credentials: "{bearer}"
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
            scrape_configs:
              - job_name: email-engine
                metrics_path: {path}{auth}
                static_configs:
                  - targets: ["{target}"]
            """);
        var port = LoopbackPorts.Free();
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--config.file={Path.Combine(directory, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                     $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn" })
            info.ArgumentList.Add(argument);
        var process = Process.Start(info)!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}/"));
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                lock (errors)
                    throw new InvalidOperationException($"prometheus exited: {errors}");
            }
            try
            {
                if ((await http.GetAsync("-/ready")).IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        await server.DisposeAsync();
        throw new TimeoutException($"prometheus on 127.0.0.1:{port} did not become ready");
    }

    /// <summary>An instant query through the HTTP API: the result vector (each element's metric labels and value).</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var http = new HttpClient { BaseAddress = Address };
        var body = await http.GetFromJsonAsync<JsonElement>($"api/v1/query?query={Uri.EscapeDataString(promql)}");
        if (body.GetProperty("status").GetString() != "success")
            throw new InvalidOperationException(body.ToString());
        return body.GetProperty("data").GetProperty("result").EnumerateArray().Select(r => (
            (IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
            Metrics.PrometheusText.ParseValue(r.GetProperty("value")[1].GetString()!))).ToList();
    }

    /// <summary>Queries until the result is not empty (the first scrapes take a moment), or fails after the timeout.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> WaitForAsync(string promql, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await QueryAsync(promql);
            if (result.Count > 0 || DateTime.UtcNow > deadline)
                return result;
            await Task.Delay(250);
        }
    }

    /// <summary>The scrape target's health and last error as Prometheus saw it.</summary>
    public async Task<(string Health, string LastError)> TargetAsync()
    {
        using var http = new HttpClient { BaseAddress = Address };
        var body = await http.GetFromJsonAsync<JsonElement>("api/v1/targets");
        var target = body.GetProperty("data").GetProperty("activeTargets")[0];
        return (target.GetProperty("health").GetString()!, target.GetProperty("lastError").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
