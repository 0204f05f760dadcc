using System.Collections.Concurrent;
using System.Data.Common;
using System.Threading.Channels;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// Runs uploaded imports one at a time in the background. Uploads are spooled to <c>IMPORT_DIR</c> (default
/// <c>./data/imports</c>, a folder per database in it) before the job is queued, so a restart re-runs unfinished jobs
/// from their file; the import
/// upserts, so a re-run never duplicates. A run the database or the disk interrupts is run again from its file, sooner
/// first and then at most every five minutes, with the reason on the job; a job whose upload is gone, or whose run
/// stops on anything else, ends failed with the reason.
/// </summary>
public sealed class ImportRunner(IServiceScopeFactory scopes, EngineSettings settings, DatabaseTarget database, DatabaseMigrator migrator,
    TimeProvider clock, ILogger<ImportRunner> logger)
    : BackgroundService
{
    internal const string UploadGone = "interrupted and its upload is gone: upload the file again (imports upsert, nothing is duplicated)";
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(5);

    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>();

    // Jobs queued, running or waiting to run again in this process, with their failed runs so far: a job queued twice
    // runs once (the second run would find its file gone after the first).
    private readonly ConcurrentDictionary<long, int> _pending = new();

    // The start-up sweep takes only jobs older than this process: an upload answered before the sweep is queued by its
    // own request, and may not have moved its file into place yet.
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();

    /// <summary>
    /// <c>IMPORT_DIR</c>'s folder for this engine's database, named by a hash of <see cref="DatabaseTarget.Describe"/>
    /// (engines on one database share it). Engines on two databases given the same home number their jobs alike: with
    /// one folder, each could overwrite or import the other's upload.
    /// </summary>
    public string Directory { get; } = Path.Combine(settings.PathUnderHome(settings.Get("IMPORT_DIR") ?? Path.Combine("data", "imports")),
        "db-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(database.Describe())))[..12]);

    public string FileOf(long jobId) => Path.Combine(Directory, $"{jobId}.csv");

    public ValueTask QueueAsync(long jobId, CancellationToken ct) =>
        _pending.TryAdd(jobId, 0) ? _queue.Writer.WriteAsync(jobId, ct) : ValueTask.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await SweepAsync(stoppingToken);
            await foreach (var jobId in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                var runsAgain = false;
                try
                {
                    await RunAsync(jobId, stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    runsAgain = await HandleFailedRunAsync(jobId, e, stoppingToken);
                }
                finally
                {
                    if (!runsAgain)
                        _pending.TryRemove(jobId, out _);
                }
            }
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (a run cut short may end in its driver's error rather than a cancellation): unfinished jobs keep
            // their files and run at the next start.
        }
    }

    /// <summary>Once the schema is current, queues the jobs a previous process left unfinished (again while the database cannot answer).</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                if ((await migrator.GetStatusAsync(ct)).UpToDate)
                {
                    await RequeueUnfinishedAsync(ct);
                    return;
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogError(e, "Import start-up sweep failed; trying again");
            }
            await Task.Delay(FirstRetry, ct);
        }
    }

    private async Task RequeueUnfinishedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var unfinished = await db.Set<ImportJob>().Where(j => j.Status == ImportStatus.Queued || j.Status == ImportStatus.Running).ToListAsync(ct);
        foreach (var job in unfinished.Where(j => j.CreatedAt < _startedAt && !_pending.ContainsKey(j.Id)))
        {
            if (File.Exists(FileOf(job.Id)))
            {
                (job.Status, job.Rows, job.Accepted, job.Rejected) = (ImportStatus.Queued, 0, 0, 0);
                await QueueAsync(job.Id, ct);
            }
            else
                (job.Status, job.Error) = (ImportStatus.Failed, UploadGone);
        }
        await db.SaveChangesAsync(ct);
    }

    private async Task RunAsync(long jobId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var job = await db.Set<ImportJob>().SingleAsync(j => j.Id == jobId, ct);
        if (job.Status is ImportStatus.Completed or ImportStatus.Failed)
            return; // a finished job keeps its report; its file is gone
        if (!File.Exists(FileOf(jobId)))
        {
            await EndFailedAsync(db, job, UploadGone, ct);
            return;
        }
        var tenant = await db.Set<Tenant>().SingleAsync(t => t.Id == job.TenantId, ct);
        await db.Set<ImportReject>().Where(r => r.JobId == jobId).ExecuteDeleteAsync(ct); // a re-run reports afresh
        job.Error = null;
        var options = ImportSpool.ReadOptions(FileOf(jobId));
        await using (var file = File.OpenRead(FileOf(jobId)))
            await scope.ServiceProvider.GetRequiredService<ContactImporter>().RunAsync(job, tenant, file, options, null, ct);
        DeleteUpload(jobId);
        logger.LogInformation("Import job {JobId}: {Status}, {Rows} rows, {Accepted} accepted, {Rejected} rejected", jobId, job.Status, job.Rows, job.Accepted, job.Rejected);
    }

    /// <summary>
    /// A run the database or the disk stopped runs again from its file (true); anything else ends the job failed. The
    /// reason goes on the job either way, as far as the database takes it.
    /// </summary>
    private async Task<bool> HandleFailedRunAsync(long jobId, Exception error, CancellationToken ct)
    {
        var transient = error is DbException or DbUpdateException or IOException or TimeoutException;
        var failures = _pending.AddOrUpdate(jobId, 1, (_, failed) => failed + 1);
        var delay = TimeSpan.FromTicks(Math.Min(LongestRetry.Ticks, FirstRetry.Ticks << Math.Min(failures - 1, 16)));
        var reason = error.Message.Split('\n')[0].Trim(); // PostgreSQL's messages go on with a POSITION line
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var job = await db.Set<ImportJob>().SingleAsync(j => j.Id == jobId, ct);
            if (transient)
            {
                (job.Status, job.Error) = (ImportStatus.Queued, $"run {failures} stopped ({reason}); it runs again in {delay.TotalSeconds:0} s");
                await db.SaveChangesAsync(ct);
            }
            else
                await EndFailedAsync(db, job, $"the import stopped on an unexpected error: {reason}", ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "Import job {JobId}: its failure could not be recorded", jobId);
        }
        if (!transient)
        {
            logger.LogError(error, "Import job {JobId} failed", jobId);
            return false;
        }
        logger.LogError(error, "Import job {JobId}: run {Failures} stopped; it runs again in {Delay}", jobId, failures, delay);
        _ = RunAgainAsync(jobId, delay, ct);
        return true;
    }

    private async Task RunAgainAsync(long jobId, TimeSpan delay, CancellationToken ct)
    {
        try
        {
            await Task.Delay(delay, ct);
            await _queue.Writer.WriteAsync(jobId, ct);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the job is unfinished in the database and runs at the next start.
        }
    }

    private async Task EndFailedAsync(AppDbContext db, ImportJob job, string error, CancellationToken ct)
    {
        job.Fail(error, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        DeleteUpload(job.Id);
    }

    private void DeleteUpload(long jobId)
    {
        File.Delete(FileOf(jobId));
        File.Delete(ImportSpool.OptionsFileOf(FileOf(jobId)));
    }
}

/// <summary>The options a job was uploaded with, kept beside its spooled file.</summary>
internal static class ImportSpool
{
    private sealed record Stored(char? Delimiter, Dictionary<string, string>? Mapping);

    public static string OptionsFileOf(string file) => file + ".options.json";

    public static void WriteOptions(string file, ImportOptions options) =>
        File.WriteAllText(OptionsFileOf(file), System.Text.Json.JsonSerializer.Serialize(new Stored(options.Delimiter, options.Mapping?.ToDictionary())));

    public static ImportOptions ReadOptions(string file)
    {
        if (!File.Exists(OptionsFileOf(file)))
            return new ImportOptions();
        var stored = System.Text.Json.JsonSerializer.Deserialize<Stored>(File.ReadAllText(OptionsFileOf(file)))!;
        return new ImportOptions(stored.Delimiter, stored.Mapping);
    }
}
