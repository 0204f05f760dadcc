using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Metrics;
using EmailEngine.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Accounting;

public sealed record IngestResult(string Name, string? Identity, string Status, long FromOffset, long ToOffset, long Records,
    long Suppressed, long UnknownTypes)
{
    public static IngestResult NoRecordYet(string name) => new(name, null, "no_complete_record", 0, 0, 0, 0, 0);
}

/// <summary>The same file is being ingested elsewhere right now (its committed offset moved under us).</summary>
public sealed class ConcurrentIngestException(string name) : Exception($"{name} is being ingested by another process");

/// <summary>
/// Ingests one accounting file from where its last ingest stopped: records → classification → attribution →
/// hourly stats, suppressions and their MailWizz unsubscribes, deferrals charged to admission's room. Each batch is one transaction that also moves the
/// file's committed offset, so a crash at any point loses nothing and counts nothing twice.
/// </summary>
public sealed class AcctIngestor(AppDbContext db, SuppressionPolicy policy, IDeferralObserver deferralObserver, WebhookPublisher webhooks, AcctOptions options,
    TimeProvider clock, EngineMetrics metrics)
{
    /// <param name="host">The PowerMTA host that wrote the file: its records count for it.</param>
    /// <param name="final">The file will not grow (rotated): reaching its end marks it completed.</param>
    public async Task<IngestResult> IngestAsync(string host, string name, Stream raw, bool final, CancellationToken ct)
    {
        await using var input = await AcctInput.OpenAsync(raw, ct);
        if (input.Identity is null)
            return IngestResult.NoRecordYet(name);
        var source = await FindOrCreateSourceAsync(input.Identity, host, name, ct);
        var from = source.CommittedOffset;
        if (source.Completed)
            return new IngestResult(name, source.Identity, "already_complete", from, from, 0, 0, 0);

        var attribution = await AcctAttribution.LoadAsync(db, ct);
        var reader = new AcctReader(await input.FromAsync(from, ct), from, source.Header?.Split(','));
        var batch = new List<AcctRecord>(options.BatchSize);
        var (records, suppressed) = (0L, 0L);
        await foreach (var read in reader.ReadBatchesAsync(ct))
            foreach (var record in read.Records)
            {
                batch.Add(record);
                if (batch.Count < options.BatchSize)
                    continue;
                suppressed += await CommitAsync(source, batch, attribution, record.EndOffset, read.Header, false, ct);
                records += batch.Count;
                batch.Clear();
            }
        // The tail: the last records, plus any header or unknown lines after them, up to the last complete line.
        suppressed += await CommitAsync(source, batch, attribution, reader.CompleteOffset, reader.Header, final, ct);
        records += batch.Count;
        return new IngestResult(name, source.Identity, final ? "completed" : "ingested", from, reader.CompleteOffset, records, suppressed, reader.UnknownTypes);
    }

    private async Task<AcctSource> FindOrCreateSourceAsync(string identity, string host, string name, CancellationToken ct)
    {
        var source = await db.Set<AcctSource>().SingleOrDefaultAsync(s => s.Identity == identity, ct);
        if (source is not null)
        {
            if (source.Name != name)
            {
                source.Name = name; // rotated or gzipped since: remember the current name
                await db.SaveChangesAsync(ct);
            }
            return source;
        }
        var now = clock.GetUtcNow();
        source = new AcctSource { Identity = identity, Host = host, Name = name, CreatedAt = now, UpdatedAt = now };
        db.Add(source);
        try
        {
            await db.SaveChangesAsync(ct);
            return source;
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear(); // another ingest registered the same file first
            return await db.Set<AcctSource>().SingleAsync(s => s.Identity == identity, ct);
        }
    }

    private async Task<int> CommitAsync(AcctSource source, List<AcctRecord> batch, AcctAttribution attribution, long offset,
        IReadOnlyList<string>? header, bool completed, CancellationToken ct)
    {
        if (batch.Count == 0 && offset == source.CommittedOffset && !completed)
            return 0;
        using var span = EngineMetrics.Tracing.StartActivity("acct.ingest_batch");
        span?.SetTag("acct.file", source.Name);
        span?.SetTag("acct.records", batch.Count);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        var attributed = await attribution.AttributeAsync(db, batch, ct);
        var stats = new Dictionary<StatKey, OutcomeCounts>();
        var bounces = new List<BounceEvent>();
        var events = new List<WebhookEvent>();
        var deferrals = new List<(DateTimeOffset, string, string)>();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        for (var i = 0; i < batch.Count; i++)
        {
            var record = batch[i];
            var who = attributed[i];
            var at = AcctTime.Parse(record.TimeLogged) ?? now;
            var key = new StatKey(DeliveryStatRow.HourOf(at), source.Host, who.Vmta, IspGroups.Of(record.RecipientDomain), who.TenantId, who.CampaignId);
            if (!stats.TryGetValue(key, out var counts))
                stats[key] = counts = new OutcomeCounts();
            if (record.Type == "t" && record.RecipientDomain is { Length: > 0 } domain)
                deferrals.Add((at, who.Vmta, domain));
            if (AcctOutcome.Count(record, counts) is { } bounce && record.Rcpt is { } rcpt && who.RecipientTenants.Count > 0)
            {
                var e = new BounceEvent(bounce.Class, who.RecipientTenants, rcpt.Trim(), at, $"acct:{source.Name}#{record.EndOffset}", bounce.Why);
                bounces.Add(e);
                events.AddRange(BounceWebhookEvents.Of(e, record, who));
            }
        }
        var suppressed = await policy.ApplyAsync(bounces, ct);
        if (await webhooks.PublishManyAsync(events, ct) > 0)
            await db.SaveChangesAsync(ct);
        await DeliveryStatsWriter.AddAsync(db, stats, ct);
        await deferralObserver.DeferredAsync(deferrals, now, ct);
        var previous = source.CommittedOffset;
        var headerText = header is null ? null : string.Join(',', header);
        var moved = await db.Set<AcctSource>().Where(s => s.Id == source.Id && s.CommittedOffset == previous)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CommittedOffset, offset).SetProperty(x => x.Header, headerText)
                .SetProperty(x => x.Records, x => x.Records + batch.Count).SetProperty(x => x.Completed, completed)
                .SetProperty(x => x.UpdatedAt, now), ct);
        if (moved != 1)
            throw new ConcurrentIngestException(source.Name);
        await transaction.CommitAsync(ct);
        metrics.Ingested(stats, batch.Count, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        // Suppressions, soft bounces and outbox rows of this batch are saved: stop tracking them, or every later
        // SaveChanges would scan them all again.
        db.ChangeTracker.Clear();
        source.CommittedOffset = offset;
        source.Header = headerText;
        source.Completed = completed;
        return suppressed;
    }
}
