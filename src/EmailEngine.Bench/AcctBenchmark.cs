using System.Diagnostics;
using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Tenants;
using EmailEngine.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Bench;

public sealed record AcctBenchResult(long Records, double ReadSeconds, double ParseSeconds, double ParseCpuSeconds)
{
    public double RecordsPerSecond => Records / ParseSeconds;
}

/// <summary>
/// <c>./run bench acct</c>: generates a realistic accounting file, then times (1) simply reading it and (2)
/// parsing every record and classifying every bounce and deferral — the CPU part of ingest, without the database.
/// CPU time is printed beside wall time: on a shared machine the wall clock measures the neighbours too. On PostgreSQL
/// it then times the whole ingest of a second file (<see cref="IngestAsync"/>) against parse + classify of that file.
/// </summary>
public static class AcctBenchmark
{
    public static async Task<AcctBenchResult> RunAsync(long records, string file, TextWriter output, CancellationToken ct)
    {
        await using (var stream = File.Create(file))
            AcctFileGenerator.Write(stream, records);
        var size = new FileInfo(file).Length;
        output.WriteLine($"generated {records:N0} records, {size / 1e6:N0} MB: {file}");

        var watch = Stopwatch.StartNew();
        var buffer = new byte[1 << 20];
        await using (var stream = File.OpenRead(file))
            while (await stream.ReadAsync(buffer, ct) > 0) { }
        var read = watch.Elapsed.TotalSeconds;
        output.WriteLine($"read only:         {read:F2} s = {size / 1e6 / read:N0} MB/s");

        // As BenchmarkDotNet does: an untimed warm-up pass lets the JIT tier the hot loops up (a running ingest is past
        // that after its first minute), then three timed passes; the median is the figure.
        await ParseAndClassifyAsync(file, ct);
        var passes = new List<(double Wall, double Cpu, long Parsed, long Classified, long ClassifyTicks)>();
        for (var pass = 1; pass <= 3; pass++)
        {
            watch.Restart();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (parsed, classified, classifyTicks) = await ParseAndClassifyAsync(file, ct);
            var wall = watch.Elapsed.TotalSeconds;
            var parseCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            passes.Add((wall, parseCpu, parsed, classified, classifyTicks));
            output.WriteLine($"  pass {pass}: {wall:F2} s = {parsed / wall:N0} records/s; CPU {parseCpu:F2} s = {parsed / parseCpu:N0} records per CPU-second");
        }
        var median = Runs.MedianBy(passes, p => p.Wall);
        output.WriteLine($"parse + classify (median): {median.Wall:F2} s = {median.Parsed / median.Wall:N0} records/s; " +
                         $"CPU {median.Cpu:F2} s = {median.Parsed / median.Cpu:N0} records per CPU-second");
        output.WriteLine($"  ({median.Classified:N0} bounces/deferrals classified in {Stopwatch.GetElapsedTime(0, median.ClassifyTicks).TotalSeconds:F2} s wall)");
        output.WriteLine($"parse + classify takes {median.Wall / read:F1}× the time of reading the file");
        return new AcctBenchResult(median.Parsed, read, median.Wall, median.Cpu);
    }

    /// <summary>
    /// The end-to-end figure: a file ingested as the accounting pull does (records committed in batches with the hourly
    /// stats, the suppressions its bounces and complaints call for, and webhook deliveries queued for a tenant that has a
    /// webhook), against parse + classify of the same file in the same run. Each run generates a file of its own (a new
    /// seed), so the ingest never meets a file it has already completed.
    /// </summary>
    public static async Task IngestAsync(IServiceProvider services, long records, string file, TextWriter output, CancellationToken ct)
    {
        const string tenantSlug = "bench-acct";
        var seed = Environment.TickCount & int.MaxValue;
        await using (var stream = File.Create(file))
            AcctFileGenerator.Write(stream, records, seed, tenantSlug);
        await using (var setup = services.CreateAsyncScope())
        {
            try
            {
                await EnsureTenantWithWebhookAsync(setup.ServiceProvider, tenantSlug, ct);
            }
            catch (Dkim.DkimVaultUnavailableException e)
            {
                output.WriteLine($"  no webhook, so no webhook deliveries in this figure: {e.Message}");
            }
        }
        var before = await WebhookDeliveriesAsync(services, ct);

        await ParseAndClassifyAsync(file, ct); // warm-up, untimed
        var watch = Stopwatch.StartNew();
        var (parsed, _, _) = await ParseAndClassifyAsync(file, ct);
        var parseRate = parsed / watch.Elapsed.TotalSeconds;

        watch.Restart();
        IngestResult result;
        await using (var scope = services.CreateAsyncScope())
        await using (var stream = File.OpenRead(file))
            result = await scope.ServiceProvider.GetRequiredService<AcctIngestor>().IngestAsync("bench", Path.GetFileName(file), stream, final: true, ct);
        var seconds = watch.Elapsed.TotalSeconds;
        var after = await WebhookDeliveriesAsync(services, ct);
        var rate = result.Records / seconds;
        output.WriteLine($"end-to-end ingest on PostgreSQL: {result.Records:N0} records committed with their hourly stats in {seconds:F2} s = " +
                         $"{rate:N0} records/s ({result.Suppressed:N0} suppressions, {after - before:N0} webhook deliveries queued)");
        output.WriteLine($"  parse + classify of the same file: {parseRate:N0} records/s; ingest ratio to it {rate / parseRate:N2}");
    }

    private static async Task EnsureTenantWithWebhookAsync(IServiceProvider services, string slug, CancellationToken ct)
    {
        var db = services.GetRequiredService<AppDbContext>();
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Slug == slug, ct)
                     ?? await services.GetRequiredService<TenantScope>().CreateAsync(slug, slug, null, ct);
        if (await db.Set<Webhook>().AnyAsync(w => w.TenantId == tenant.Id, ct))
            return;
        services.GetRequiredService<WebhookSecrets>().EnsureAvailable();
        var secret = WebhookSecrets.Generate();
        var now = DateTimeOffset.UtcNow;
        db.Add(new Webhook
        {
            TenantId = tenant.Id, Url = "https://hooks.bench.invalid/email-engine", Events = string.Join(',', WebhookEventTypes.All),
            EncryptedSecret = services.GetRequiredService<WebhookSecrets>().Protect(secret, tenant.Id), SecretPrefix = WebhookSecrets.DisplayPrefix(secret),
            CreatedAt = now, UpdatedAt = now, Enabled = true,
        });
        await db.SaveChangesAsync(ct);
    }

    private static async Task<long> WebhookDeliveriesAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<WebhookDelivery>().LongCountAsync(ct);
    }

    private static async Task<(long Parsed, long Classified, long ClassifyTicks)> ParseAndClassifyAsync(string file, CancellationToken ct)
    {
        var (parsed, classified, classifyTicks) = (0L, 0L, 0L);
        await using var stream = File.OpenRead(file);
        // As the ingest reads: a buffer-full of records at a time.
        await foreach (var batch in new AcctReader(stream).ReadBatchesAsync(ct))
            foreach (var record in batch.Records)
            {
                parsed++;
                if (record.Type is "b" or "t" or "rb")
                {
                    var started = Stopwatch.GetTimestamp();
                    BounceClassifier.Classify(record.Type, record.BounceCat, record.DsnStatus, record.DsnDiag);
                    classifyTicks += Stopwatch.GetTimestamp() - started;
                    classified++;
                }
            }
        return (parsed, classified, classifyTicks);
    }
}
