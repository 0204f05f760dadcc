using System.Diagnostics;
using System.Net.Http.Json;

namespace EmailEngine.Bench;

public sealed record LoadFigures(int Requests, double Seconds, double P50Ms, double P99Ms)
{
    public double PerSecond => Requests / Seconds;

    public override string ToString() => $"{PerSecond:N0} req/s, p50 {P50Ms:N1} ms, p99 {P99Ms:N1} ms";
}

/// <summary>
/// <c>./run bench intake</c>: <c>POST /api/v2/contacts</c> (new contacts, one tenant) at a fixed concurrency,
/// against <c>GET /api/v1/ips</c> on the same engine in the same run (the HTTP stack and authentication with one small
/// query: what a request costs before the contact's own work). The engine runs as a child process (<c>serve</c>) on the
/// database <c>DATABASE_URL</c> names, the embedded SQLite without it; its outbox worker is off, so only intake is timed.
/// </summary>
public static class IntakeBenchmark
{
    public static async Task<(LoadFigures Get, LoadFigures Post)> RunAsync(int requests, int concurrency, string work, TextWriter output,
        CancellationToken ct)
    {
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        var settings = new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" };
        if (Environment.GetEnvironmentVariable("DATABASE_URL") is { Length: > 0 } database)
        {
            settings["DATABASE_URL"] = database;
            await MigrateAsync(database, ct); // serve migrates only the embedded SQLite by itself
        }
        await using var engine = await BenchEngine.StartAsync(Directory.CreateDirectory(work).FullName, Path.Combine(work, "engine.log"), settings, ct);
        output.WriteLine($"engine on {(settings.ContainsKey("DATABASE_URL") ? "PostgreSQL (DATABASE_URL)" : "embedded SQLite")}, " +
                         $"{requests:N0} requests per measure, concurrency {concurrency}");

        var run = Guid.NewGuid().ToString("N")[..8];
        Task<HttpResponseMessage> Get(int i) => engine.Api.GetAsync("/api/v1/ips", ct);
        Task<HttpResponseMessage> Post(int i) => engine.Api.PostAsJsonAsync("/api/v2/contacts",
            new { email = $"c{i}.{run}@example.com", tenant = "bench-intake", language = "fr", first_name = "Zoé", company = "Acme" }, ct);
        // Untimed warm-up (JIT, connection pools, the tenant and its welcome autoresponder), as BenchmarkDotNet does.
        await LoadAsync(Math.Min(requests, 500), concurrency, Get, ct);
        await LoadAsync(Math.Min(requests, 500), concurrency, i => Post(-1 - i), ct);

        var get = await LoadAsync(requests, concurrency, Get, ct);
        output.WriteLine($"  GET /api/v1/ips (baseline):  {get}");
        var post = await LoadAsync(requests, concurrency, Post, ct);
        output.WriteLine($"  POST /api/v2/contacts (new): {post}");
        output.WriteLine($"intake: {post.PerSecond:N0} contacts/s, p99 {post.P99Ms:N1} ms; ratio to the GET baseline {post.PerSecond / get.PerSecond:N2}");
        return (get, post);
    }

    private static async Task MigrateAsync(string database, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet") { ArgumentList = { typeof(EngineHost).Assembly.Location, "migrate" }, RedirectStandardOutput = true };
        info.Environment["DATABASE_URL"] = database;
        info.Environment["API_KEY"] = BenchEngine.OperatorKey;
        using var migrate = Process.Start(info) ?? throw new InvalidOperationException("email-engine migrate did not start");
        await migrate.StandardOutput.ReadToEndAsync(ct);
        await migrate.WaitForExitAsync(ct);
        if (migrate.ExitCode != 0)
            throw new InvalidOperationException($"email-engine migrate exited with {migrate.ExitCode}");
    }

    private static async Task<LoadFigures> LoadAsync(int count, int concurrency, Func<int, Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        var latencies = new double[count];
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (i, _) =>
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await send(i);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (!response.IsSuccessStatusCode)
                    throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} " +
                                                        await response.Content.ReadAsStringAsync(CancellationToken.None));
            });
        var seconds = watch.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new LoadFigures(count, seconds, latencies[count / 2], latencies[Math.Min(count - 1, (int)Math.Ceiling(count * 0.99) - 1)]);
    }
}
