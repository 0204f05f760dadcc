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
