using System.Collections.Concurrent;
using System.Threading.Channels;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// Runs uploaded imports one at a time in the background. Uploads are spooled to <c>IMPORT_DIR</c> (default
/// <c>./data/imports</c>) before the job is queued, so a restart re-runs unfinished jobs from their file; the import
/// upserts, so a re-run never duplicates.
/// </summary>
public sealed class ImportRunner(IServiceScopeFactory scopes, EngineSettings settings, DatabaseMigrator migrator, ILogger<ImportRunner> logger)
    : BackgroundService
{
    private readonly Channel<long> _queue = Channel.CreateUnbounded<long>();

    // Jobs queued or running in this process: an upload can arrive before the start-up sweep, which must not queue it twice
    // (the second run would find its file gone after the first had finished).
    private readonly ConcurrentDictionary<long, bool> _pending = new();

    public string Directory { get; } = settings.PathUnderHome(settings.Get("IMPORT_DIR") ?? Path.Combine("data", "imports"));

    public string FileOf(long jobId) => Path.Combine(Directory, $"{jobId}.csv");

    public ValueTask QueueAsync(long jobId, CancellationToken ct) =>
        _pending.TryAdd(jobId, true) ? _queue.Writer.WriteAsync(jobId, ct) : ValueTask.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!(await migrator.GetStatusAsync(stoppingToken)).UpToDate)
            await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
        await RequeueUnfinishedAsync(stoppingToken);
        await foreach (var jobId in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RunAsync(jobId, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(e, "Import job {JobId} failed", jobId);
            }
            finally
            {
                _pending.TryRemove(jobId, out _);
            }
        }
    }

    private async Task RequeueUnfinishedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var unfinished = await db.Set<ImportJob>().Where(j => j.Status == ImportStatus.Queued || j.Status == ImportStatus.Running).ToListAsync(ct);
        foreach (var job in unfinished.Where(j => !_pending.ContainsKey(j.Id)))
        {
            if (File.Exists(FileOf(job.Id)))
            {
                (job.Status, job.Rows, job.Accepted, job.Rejected) = (ImportStatus.Queued, 0, 0, 0);
                await QueueAsync(job.Id, ct);
            }
            else
                (job.Status, job.Error) = (ImportStatus.Failed, "interrupted and its upload is gone: upload the file again (imports upsert, nothing is duplicated)");
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
        var tenant = await db.Set<Tenant>().SingleAsync(t => t.Id == job.TenantId, ct);
        await db.Set<ImportReject>().Where(r => r.JobId == jobId).ExecuteDeleteAsync(ct); // a re-run reports afresh
        var options = ImportSpool.ReadOptions(FileOf(jobId));
        await using (var file = File.OpenRead(FileOf(jobId)))
            await scope.ServiceProvider.GetRequiredService<ContactImporter>().RunAsync(job, tenant, file, options, null, ct);
        File.Delete(FileOf(jobId));
        File.Delete(ImportSpool.OptionsFileOf(FileOf(jobId)));
        logger.LogInformation("Import job {JobId}: {Status}, {Rows} rows, {Accepted} accepted, {Rejected} rejected", jobId, job.Status, job.Rows, job.Accepted, job.Rejected);
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
