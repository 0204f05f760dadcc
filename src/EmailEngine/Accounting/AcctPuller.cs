using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;
using Renci.SshNet.Common;

namespace EmailEngine.Accounting;

/// <summary>
/// Incremental pull of the accounting files from the PowerMTA host over SFTP. The live file
/// (<see cref="AcctOptions.RemoteFile"/>) and its rotated siblings (<c>acct*.csv</c>, <c>acct*.csv.gz</c> in the same
/// directory) are ingested oldest first, the live file last: after a rotation the renamed file is finished from its
/// committed offset (it keeps its identity), then the new live file starts. Rotated files read to their end are
/// marked completed and skipped from then on.
/// </summary>
public sealed class AcctPuller(PmtaHostOptions host, AcctOptions options, AcctIngestor ingestor, AppDbContext db, ILogger<AcctPuller> logger)
{
    public async Task<List<IngestResult>> PullAsync(CancellationToken ct)
    {
        if (host.Missing() is { Count: > 0 } missing)
            throw new PmtaHostException($"accounting pull needs {string.Join(", ", missing)}");
        var slash = options.RemoteFile.LastIndexOf('/');
        var directory = slash <= 0 ? "/" : options.RemoteFile[..slash];
        var stem = Path.GetFileNameWithoutExtension(options.RemoteFile[(slash + 1)..]);
        using var shell = await PmtaShell.ConnectAsync(host, ct);
        var files = (await shell.ListFilesAsync(directory, ct))
            .Where(f => f.Name.StartsWith(stem, StringComparison.Ordinal) && (f.Name.EndsWith(".csv", StringComparison.Ordinal) || f.Name.EndsWith(".csv.gz", StringComparison.Ordinal)))
            .OrderBy(f => f.FullName == options.RemoteFile).ThenBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        var completed = (await db.Set<AcctSource>().AsNoTracking().Where(s => s.Completed).Select(s => s.Name).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var results = new List<IngestResult>();
        foreach (var file in files)
        {
            var live = file.FullName == options.RemoteFile;
            if (!live && completed.Contains(file.FullName))
                continue;
            try
            {
                await using var stream = await shell.OpenReadAsync(file.FullName, ct);
                results.Add(await ingestor.IngestAsync(file.FullName, stream, final: !live, ct));
            }
            catch (SftpPathNotFoundException)
            {
                // Rotated (renamed or gzipped) between listing and opening: the next pull finds it under its new name.
                logger.LogInformation("{File} moved during the pull; picked up next time", file.FullName);
            }
        }
        return results;
    }
}

/// <summary>
/// One pull by one engine instance at a time (distributed lock). Used by the periodic worker and by the warmup worker,
/// which pulls right before a day's decisions so that they are taken on the whole day's outcomes.
/// </summary>
public sealed class AcctPullRun(IServiceScopeFactory scopes, PmtaHostOptions host, Locks.IDistributedLock locks, TimeProvider clock,
    ILogger<AcctPullRun> logger)
{
    private long _lastStartedTicks = DateTimeOffset.MinValue.UtcTicks;

    public bool Configured => host.Missing().Count == 0;

    /// <summary>When the last pull that completed in this process started: everything logged before then is ingested.</summary>
    public DateTimeOffset LastCompleteFrom => new(Interlocked.Read(ref _lastStartedTicks), TimeSpan.Zero);

    /// <summary>False when another instance holds the pull (its results are not in yet).</summary>
    public async Task<bool> PullAsync(CancellationToken ct)
    {
        await using var held = await locks.TryAcquireAsync("acct-pull", TimeSpan.FromMinutes(30), ct);
        if (held is null)
            return false;
        var started = clock.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        foreach (var result in await scope.ServiceProvider.GetRequiredService<AcctPuller>().PullAsync(ct))
            if (result.Records > 0)
                logger.LogInformation("Accounting {File}: {Records} records, {Suppressed} suppressed", result.Name, result.Records, result.Suppressed);
        Interlocked.Exchange(ref _lastStartedTicks, started.UtcTicks);
        return true;
    }
}

/// <summary>Thin shell: pulls every <see cref="AcctOptions.PullInterval"/> while the PowerMTA host is configured.</summary>
internal sealed class AcctPullWorker(AcctPullRun pull, AcctOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<AcctPullWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => pull.Configured ? options.PullInterval : TimeSpan.Zero;

    protected override string RoundName => "Accounting pull";

    protected override Task RunRoundAsync(CancellationToken ct) => pull.PullAsync(ct);
}
