using System.Diagnostics;
using EmailEngine.Accounting;
using EmailEngine.Deliverability;

namespace EmailEngine.Bench;

public sealed record AcctBenchResult(long Records, double ReadSeconds, double ParseSeconds, double ParseCpuSeconds)
{
    public double RecordsPerSecond => Records / ParseSeconds;
}

/// <summary>
/// <c>email-engine bench acct</c>: generates a realistic accounting file, then times (1) simply reading it and (2)
/// parsing every record and classifying every bounce and deferral — the CPU part of ingest, without the database.
/// CPU time is printed beside wall time: on a shared machine the wall clock measures the neighbours too.
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

        // Warm-up, as BenchmarkDotNet would: an untimed pass over the first fifth lets the JIT tier the hot loop up
        // (a running ingest is past that after its first seconds); the timed pass then reads the whole file.
        await ParseAndClassifyAsync(file, Math.Max(1, records / 5), ct);
        watch.Restart();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (parsed, classified, classifyTicks) = await ParseAndClassifyAsync(file, long.MaxValue, ct);
        var parse = watch.Elapsed.TotalSeconds;
        var parseCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        output.WriteLine($"parse + classify:  {parse:F2} s = {parsed / parse:N0} records/s; CPU {parseCpu:F2} s = {parsed / parseCpu:N0} records per CPU-second");
        output.WriteLine($"  ({classified:N0} bounces/deferrals classified in {Stopwatch.GetElapsedTime(0, classifyTicks).TotalSeconds:F2} s wall)");
        output.WriteLine($"parse + classify takes {parse / read:F1}× the time of reading the file");
        return new AcctBenchResult(parsed, read, parse, parseCpu);
    }

    private static async Task<(long Parsed, long Classified, long ClassifyTicks)> ParseAndClassifyAsync(string file, long limit, CancellationToken ct)
    {
        var (parsed, classified, classifyTicks) = (0L, 0L, 0L);
        await using var stream = File.OpenRead(file);
        await foreach (var record in new AcctReader(stream).ReadAsync(ct))
        {
            if (++parsed >= limit)
                break;
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
