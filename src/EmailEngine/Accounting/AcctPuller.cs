using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;
using Renci.SshNet.Common;

namespace EmailEngine.Accounting;

/// <summary>
/// Incremental pull of the accounting files from one PowerMTA host over SFTP. The live file
/// (<see cref="PmtaHostOptions.AcctFile"/>) and its rotated siblings (<c>acct*.csv</c>, <c>acct*.csv.gz</c> in the same
/// directory) are ingested oldest first, the live file last: after a rotation the renamed file is finished from its
/// committed offset (it keeps its identity), then the new live file starts. Rotated files read to their end are
/// marked completed and skipped from then on. Files are the host's: their records count for it.
/// </summary>
public sealed class AcctPuller(AcctIngestor ingestor, AppDbContext db, ILogger<AcctPuller> logger)
{
    public async Task<List<IngestResult>> PullAsync(PmtaHostOptions host, CancellationToken ct)
    {
        if (host.Missing() is { Count: > 0 } missing)
            throw new PmtaHostException($"accounting pull needs {string.Join(", ", missing)}");
        var remoteFile = host.AcctFile;
        var slash = remoteFile.LastIndexOf('/');
        var directory = slash <= 0 ? "/" : remoteFile[..slash];
        var stem = Path.GetFileNameWithoutExtension(remoteFile[(slash + 1)..]);
        using var shell = await PmtaShell.ConnectFilesAsync(host, ct);
        var files = (await shell.ListFilesAsync(directory, ct))
            .Where(f => f.Name.StartsWith(stem, StringComparison.Ordinal) && (f.Name.EndsWith(".csv", StringComparison.Ordinal) || f.Name.EndsWith(".csv.gz", StringComparison.Ordinal)))
            .OrderBy(f => f.FullName == remoteFile).ThenBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        // By host: two hosts' rotated files may have the same path.
        var completed = (await db.Set<AcctSource>().AsNoTracking().Where(s => s.Completed && s.Host == host.Name).Select(s => s.Name).ToListAsync(ct))
            .ToHashSet(StringComparer.Ordinal);
        var results = new List<IngestResult>();
        foreach (var file in files)
        {
            var live = file.FullName == remoteFile;
            if (!live && completed.Contains(file.FullName))
                continue;
            try
            {
                await using var stream = await shell.OpenReadAsync(file.FullName, ct);
                results.Add(await ingestor.IngestAsync(host.Name, file.FullName, stream, final: !live, ct));
            }
            catch (SftpPathNotFoundException)
            {
                // Rotated (renamed or gzipped) between listing and opening: the next pull finds it under its new name.
                logger.LogInformation("{File} on {Host} moved during the pull; picked up next time", file.FullName, host.Name);
            }
        }
        return results;
    }
}

/// <summary>
/// One pull of every configured PowerMTA host by one engine instance at a time (distributed lock); a host that
/// cannot be reached is logged and skipped, the others are pulled. Used by the periodic worker and by the warmup
/// worker, which pulls right before a day's decisions so that they are taken on the whole day's outcomes.
/// </summary>
public sealed class AcctPullRun(IServiceScopeFactory scopes, PmtaHostOptions defaultHost, Locks.IDistributedLock locks, TimeProvider clock,
    ILogger<AcctPullRun> logger)
{
    private long _lastStartedTicks = DateTimeOffset.MinValue.UtcTicks;
    private volatile bool _hostsSeen;

    /// <summary>Whether there is a host to pull from: the default one is configured, or the last round found registered ones.</summary>
    public bool Configured => defaultHost.Configured || _hostsSeen;

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
        var hosts = await scope.ServiceProvider.GetRequiredService<PowerMta.Hosts.PmtaHostDirectory>().ConfiguredAsync(ct);
        _hostsSeen = hosts.Count > 0;
        var complete = true;
        foreach (var host in hosts)
        {
            try
            {
                foreach (var result in await scope.ServiceProvider.GetRequiredService<AcctPuller>().PullAsync(host, ct))
                    if (result.Records > 0)
                        logger.LogInformation("Accounting {Host} {File}: {Records} records, {Suppressed} suppressed", host.Name, result.Name, result.Records, result.Suppressed);
            }
            catch (PmtaHostException e) when (hosts.Count > 1)
            {
                // One host down must not keep the others' outcomes out; the pull is not complete, so the lag grows.
                logger.LogWarning("Accounting pull from {Host} failed: {Error}", host.Name, e.Message);
                complete = false;
            }
        }
        if (complete)
            Interlocked.Exchange(ref _lastStartedTicks, started.UtcTicks);
        return true;
    }
}

/// <summary>Thin shell: pulls every <see cref="AcctOptions.PullInterval"/> (a round without a configured host does nothing).</summary>
internal sealed class AcctPullWorker(AcctPullRun pull, AcctOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<AcctPullWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.PullInterval;

    protected override string RoundName => "Accounting pull";

    protected override Task RunRoundAsync(CancellationToken ct) => pull.PullAsync(ct);
}
