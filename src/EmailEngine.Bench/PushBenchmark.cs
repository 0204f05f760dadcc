using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Simulation;

namespace EmailEngine.Bench;

public sealed record PushBenchResult(int Contacts, double Seconds, int BaselineContacts, double BaselineSeconds, double LoneContactSeconds)
{
    public double PerSecond => Contacts / Seconds;
    public double BaselinePerSecond => BaselineContacts / BaselineSeconds;
}

/// <summary>
/// <c>./run bench push</c>: how fast new contacts reach MailWizz. Starts the MailWizz stand-in and an engine
/// (<c>serve</c>, embedded SQLite, MailWizz paced at <c>MAILWIZZ_REQUESTS_PER_SECOND</c> 10 as by default) as child
/// processes on loopback. Contacts are posted through the API with the outbox worker off, then an engine with the worker
/// on drains the backlog, timed from when it answers until the stand-in holds them all. The baseline, in the same run,
/// is the same engine pushing one contact per call (<c>OUTBOX_GROUP_MAX=1</c>). Last, the time a lone contact takes to
/// reach MailWizz on an idle queue. The two measured tenants share one home: their lists and welcome autoresponders are
/// made first, by one engine, as on any day but a tenant's first.
/// </summary>
public static class PushBenchmark
{
    private const string MailWizzKey = "bench-mailwizz-key";

    public static async Task<PushBenchResult> RunAsync(int contacts, int baselineContacts, string work, TextWriter output, CancellationToken ct)
    {
        if (Directory.Exists(work))
            Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        var mailwizz = new Uri($"http://127.0.0.1:{Common.LoopbackPorts.Free()}");
        using var standIn = new ChildProcess("mailwizz", "dotnet",
            [StandIns.Find("MailWizzStandIn"), "--urls", mailwizz.ToString().TrimEnd('/'), "--api-key", MailWizzKey],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1" }, Path.Combine(work, "mailwizz.log"));
        standIn.Start();
        using var inspect = new HttpClient { BaseAddress = mailwizz, Timeout = TimeSpan.FromSeconds(30) };
        await standIn.WaitAnsweringAsync(new Uri(mailwizz, "/_standin/outbox"), ct);

        output.WriteLine($"MailWizz stand-in at {mailwizz}; the engine calls it at 10 requests/s");
        var home = Directory.CreateDirectory(Path.Combine(work, "engine")).FullName;
        string[] tenants = ["bench-single", "bench-grouped"];
        await using (var first = await EngineAsync("lists", worker: true, groupMax: null))
        {
            foreach (var tenant in tenants)
                await PostAsync(first, tenant, $"warmup.{tenant}@example.com", ct);
            foreach (var tenant in tenants)
                await WaitForSubscribersAsync(tenant, 1, first.Process);
        }
        var (baselineSeconds, _) = await RunOneAsync("one push per call (OUTBOX_GROUP_MAX=1)", tenants[0], baselineContacts, groupMax: 1, measureLone: false);
        var (seconds, lone) = await RunOneAsync("grouped (bulk call per list)", tenants[1], contacts, groupMax: null, measureLone: true);
        var result = new PushBenchResult(contacts, seconds, baselineContacts, baselineSeconds, lone);
        output.WriteLine($"push: {result.PerSecond:N0} contacts/s grouped vs {result.BaselinePerSecond:N1} contacts/s one per call: " +
                         $"ratio {result.PerSecond / result.BaselinePerSecond:N1}x; a lone contact reached MailWizz in {lone:F2} s");
        return result;

        async Task<(double Seconds, double Lone)> RunOneAsync(string label, string tenant, int count, int? groupMax, bool measureLone)
        {
            // A backlog: the contacts are taken in while nothing pushes, then one engine drains them, timed from when it answers.
            await using (var intake = await EngineAsync(tenant, worker: false, groupMax))
            {
                var posting = Stopwatch.StartNew();
                await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
                    async (i, token) => await PostAsync(intake, tenant, $"c{i}.{tenant}@example.com", token));
                output.WriteLine($"  {label}: {count:N0} contacts taken in in {posting.Elapsed.TotalSeconds:F1} s (outbox worker off)");
            }
            await using var drain = await EngineAsync(tenant, worker: true, groupMax);
            var watch = Stopwatch.StartNew();
            await WaitForSubscribersAsync(tenant, count + 1, drain.Process);
            var seconds = watch.Elapsed.TotalSeconds;
            output.WriteLine($"  {label}: all {count:N0} in MailWizz {seconds:F1} s after the engine answered = {count / seconds:N1} contacts/s");

            var lone = 0.0;
            if (measureLone)
            {
                watch.Restart();
                await PostAsync(drain, tenant, $"lone.{tenant}@example.com", ct);
                await WaitForSubscribersAsync(tenant, count + 2, drain.Process);
                lone = watch.Elapsed.TotalSeconds;
            }
            return (seconds, lone);
        }

        Task<BenchEngine> EngineAsync(string name, bool worker, int? groupMax)
        {
            var settings = new Dictionary<string, string>
            {
                ["MAILWIZZ_URL"] = new Uri(mailwizz, "/api").ToString(), ["MAILWIZZ_API_KEY"] = MailWizzKey,
                ["SENDER_FROM_NAME"] = "Bench", ["SENDER_FROM_EMAIL"] = "hello@bench.example", ["COMPANY_NAME"] = "Bench SARL",
                ["COMPANY_ADDRESS"] = "1 rue de la Paix", ["COMPANY_CITY"] = "Paris", ["COMPANY_ZIP"] = "75002", ["COMPANY_COUNTRY"] = "France",
                ["OUTBOX_WORKER"] = worker ? "on" : "off",
            };
            if (groupMax is { } max)
                settings["OUTBOX_GROUP_MAX"] = $"{max}";
            return BenchEngine.StartAsync(home, Path.Combine(work, $"{name}.log"), settings, ct);
        }

        async Task WaitForSubscribersAsync(string tenant, int expected, ChildProcess engine)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var state = await inspect.GetFromJsonAsync<JsonElement>("/_standin/state", ct);
                var count = state.GetProperty("lists").EnumerateArray().Where(l => l.GetProperty("name").GetString() == $"ee:{tenant}:fr")
                    .Sum(l => l.GetProperty("subscribers").GetArrayLength());
                if (count >= expected)
                    return;
                if (!engine.Running || deadline.Elapsed > TimeSpan.FromMinutes(30))
                    throw new InvalidOperationException($"{count} of {expected} subscribers reached MailWizz:\n{engine.Tail()}");
                await Task.Delay(100, ct);
            }
        }
    }

    private static async Task PostAsync(BenchEngine engine, string tenant, string email, CancellationToken ct)
    {
        using var response = await engine.Api.PostAsJsonAsync("/api/v2/contacts", new { email, tenant, language = "fr", first_name = "Zoé", company = "Acme" }, ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST /api/v2/contacts: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}\n{engine.Process.Tail()}");
    }
}

/// <summary>An engine (<c>serve</c>) as a child process on a free loopback port, with its operator key, for the benchmarks.</summary>
internal sealed record BenchEngine(ChildProcess Process, HttpClient Api) : IAsyncDisposable
{
    public const string OperatorKey = "bench-operator-key";

    public static async Task<BenchEngine> StartAsync(string home, string log, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        // A free port is free when asked, not when the engine binds it: another process (a test suite starts many) may
        // take it first, and its engine then answers /health. Only our key proves the engine is ours; otherwise retry.
        for (var attempt = 1; ; attempt++)
        {
            var port = Common.LoopbackPorts.Free();
            var environment = new Dictionary<string, string>(settings)
            {
                ["DOTNET_NOLOGO"] = "1", ["EMAIL_ENGINE_HOME"] = home, ["API_KEY"] = OperatorKey, ["PORT"] = $"{port}",
            };
            var process = new ChildProcess("engine", "dotnet", [typeof(EngineHost).Assembly.Location, "serve"], environment, log);
            process.Start();
            var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            api.DefaultRequestHeaders.Add("X-API-KEY", OperatorKey);
            var engine = new BenchEngine(process, api);
            try
            {
                await process.WaitAnsweringAsync(new Uri(api.BaseAddress, "/health"), ct);
                using var probe = await api.GetAsync("/api/v1/ips", ct);
                if (probe.IsSuccessStatusCode && process.Running)
                    return engine;
                if (attempt == 3)
                    throw new InvalidOperationException($"port {port} is answered by another engine (GET /api/v1/ips: {(int)probe.StatusCode}):\n{process.Tail()}");
            }
            catch (InvalidOperationException) when (attempt < 3 && !process.Running)
            {
                // Ours could not bind the port: try another.
            }
            catch
            {
                await engine.DisposeAsync();
                throw;
            }
            await engine.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync()
    {
        Api.Dispose();
        Process.Dispose();
        return ValueTask.CompletedTask;
    }
}
