using System.Diagnostics;
using System.Text;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sylvan.Data.Csv;

namespace EmailEngine.Contacts.Import;

public sealed record ImportOptions(char? Delimiter = null, IReadOnlyDictionary<string, string>? Mapping = null);

public sealed record ImportProgress(long Rows, long Accepted, long Rejected, double RowsPerSecond, string Phase);

/// <summary>
/// Bulk import, streamed: CSV rows are read one at a time (flat memory whatever the file size) and validated with the
/// intake rules. The first occurrence of an address that is neither suppressed nor already the tenant's goes straight
/// into <c>contacts</c> by binary COPY (<see cref="NewContactCopier"/>); the rest (repeats within the file, suppressed
/// addresses, addresses the tenant has) is COPYed into an UNLOGGED staging table and merged by one set-based
/// statement at the end: the last occurrence of an address wins, suppressed addresses are stored as suppressed,
/// existing contacts are updated, never duplicated. Subscribers then reach MailWizz in bulk batches through the
/// outbox. Re-running the same file after a crash completes it without duplicates.
/// </summary>
public sealed class ContactImporter(AppDbContext db, DatabaseTarget database, WelcomeWorkflow welcome, OutboxWriter outbox, TimeProvider clock)
{
    public const string NeedsPostgres =
        "bulk import needs PostgreSQL (DATABASE_URL=postgresql://…); the embedded SQLite default takes contacts one by one (POST /api/v2/contacts)";

    private const int ProgressEvery = 50_000;
    private const string EmptyObject = "'{}'";

    public async Task<ImportJob> RunAsync(ImportJob job, Tenant tenant, Stream csv, ImportOptions options, IProgress<ImportProgress>? progress,
        CancellationToken ct)
    {
        if (database.Provider != DatabaseProvider.Postgres)
            return await FailAsync(job, NeedsPostgres, ct);
        job.Status = ImportStatus.Running;
        job.StartedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        try
        {
            var run = new ImportRun(job, tenant, TruncateToMicroseconds(clock.GetUtcNow()));
            await LoadAsync(run, csv, options, progress, ct);
            progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, 0, "merging"));
            await MergeAsync(run, ct);
            job.Status = ImportStatus.Completed;
        }
        catch (Exception e) when (e is CsvFormatException or InvalidDataException or DecoderFallbackException)
        {
            return await FailAsync(job, $"the file is not readable CSV: {e.Message}", ct);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            // A data exception will not go away by running the job again (a restart re-runs unfinished jobs): end it.
            db.ChangeTracker.Clear();
            db.Attach(job);
            return await FailAsync(job, $"the file holds data PostgreSQL refuses: {e.MessageText}", ct);
        }
        job.FinishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>What one run of a job carries from reading to merging. The contacts it writes are stamped <see cref="Now"/>.</summary>
    private sealed class ImportRun(ImportJob job, Tenant tenant, DateTimeOffset now)
    {
        public ImportJob Job { get; } = job;
        public Tenant Tenant { get; } = tenant;
        public DateTimeOffset Now { get; } = now;
        public Dictionary<string, long> WelcomeCampaigns { get; } = [];
        public bool FileHasLanguage { get; set; }
        public long Copied { get; set; }
        public long Staged { get; set; }
    }

    // PostgreSQL keeps microseconds: the merge recognises the contacts this run created by their exact stamp.
    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset at) => new(at.Ticks - at.Ticks % 10, at.Offset);

    private async Task<ImportJob> FailAsync(ImportJob job, string error, CancellationToken ct)
    {
        job.Fail(error, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
        return job;
    }

    private async Task LoadAsync(ImportRun run, Stream csv, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var (job, tenant) = (run.Job, run.Tenant);
        var connectionString = db.Database.GetConnectionString()!;
        await using var staging = new NpgsqlConnection(connectionString);
        await using var rejects = new NpgsqlConnection(connectionString);
        await staging.OpenAsync(ct);
        await rejects.OpenAsync(ct);
        await using (var clean = new NpgsqlCommand("DELETE FROM import_staging WHERE job_id = $1", staging) { Parameters = { new() { Value = job.Id } } })
            await clean.ExecuteNonQueryAsync(ct);
        var suppressed = await SuppressedAddresses.LoadAsync(staging, tenant.Id, ct);
        await using var rows = await BinaryCopyWriter.BeginAsync(staging,
            "COPY import_staging (job_id, row_number, email_hash, email, email_key, first_name, last_name, company, language, source, tags, fields, flags) FROM STDIN (FORMAT BINARY)", ct);
        await using var bad = await BinaryCopyWriter.BeginAsync(rejects, "COPY import_rejects (job_id, row_number, value, reason) FROM STDIN (FORMAT BINARY)", ct);

        using var reader = new StreamReader(csv, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        await using var records = await CsvDataReader.CreateAsync(reader, new CsvDataReaderOptions
        {
            Delimiter = options.Delimiter, HasHeaders = true, BufferSize = 1 << 16,
            CsvStyle = CsvStyle.Lax, // a badly quoted field becomes a rejected row, not an aborted file
        });
        var headers = Enumerable.Range(0, records.FieldCount).Select(records.GetName).ToList();
        var columns = ImportColumns.From(headers, options.Mapping);
        if (columns.Email < 0)
            throw new InvalidDataException($"no email column among {string.Join(", ", headers.Select(h => $"'{h}'"))}; map one with mapping={{\"Your Header\": \"email\"}}");
        run.FileHasLanguage = columns.Language >= 0;

        await using var copier = new NewContactCopier(connectionString, tenant.Id, job.Id, run.Now, ct);
        var rowReader = new ImportRowReader(columns, headers.Count, tenant.DefaultLanguage);
        var seen = new SeenAddresses();
        var watch = Stopwatch.StartNew();
        var rowNumber = 1L; // the header
        while (await records.ReadAsync(ct))
        {
            rowNumber++;
            job.Rows++;
            var row = rowReader.Read(records, rowNumber);
            if (row.Reject is not null)
            {
                job.Rejected++;
                WriteReject(bad, job.Id, row);
            }
            else
            {
                job.Accepted++;
                row.WelcomeCampaignId = await WelcomeCampaignAsync(run, row.Language!, ct);
                var repeat = seen.Add(row.KeyNumber);
                if (repeat || copier.Conflicted || suppressed.Matches(row))
                    WriteStaged(run, rows, row);
                else
                    await copier.AddAsync(row, ct);
            }
            if (job.Rows % ProgressEvery == 0)
                progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, job.Rows / watch.Elapsed.TotalSeconds, "reading"));
        }
        var (copied, refused) = await copier.CompleteAsync(ct);
        run.Copied = copied;
        foreach (var row in refused)
            WriteStaged(run, rows, row);
        await rows.CompleteAsync(ct);
        await bad.CompleteAsync(ct);
        progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, job.Rows / Math.Max(watch.Elapsed.TotalSeconds, 1e-6), "staged"));
    }

    private async ValueTask<long> WelcomeCampaignAsync(ImportRun run, string language, CancellationToken ct)
    {
        if (!run.WelcomeCampaigns.TryGetValue(language, out var id))
            run.WelcomeCampaigns[language] = id = (await welcome.ChooseAsync(run.Tenant, language, ct)).Campaign.Id;
        return id;
    }

    private static void WriteReject(BinaryCopyWriter bad, long jobId, ImportRow row)
    {
        bad.StartRow(4);
        bad.Write(jobId);
        bad.Write(row.RowNumber);
        bad.Write(row.RejectedValue is null ? null : Truncate(row.RejectedValue, 1000));
        bad.Write(Truncate(row.Reject!, 500));
    }

    private static void WriteStaged(ImportRun run, BinaryCopyWriter rows, ImportRow row)
    {
        run.Staged++;
        rows.StartRow(13);
        rows.Write(run.Job.Id);
        rows.Write(row.RowNumber);
        rows.Write(Suppressions.Suppression.HashOf(row.Key!));
        row.WriteFields(rows);
        rows.Write(row.Flags);
    }

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    /// <summary>
    /// One statement over the staged rows: the last occurrence of each address wins, whole, over earlier ones of this
    /// run (copied or staged); addresses on the tenant's or the global suppression list are stored as suppressed;
    /// contacts from before this run keep values the file leaves empty, and keep their language (and so their welcome
    /// autoresponder and list) when the file has no language column. Then the subscribers are queued for MailWizz.
    /// </summary>
    private async Task MergeAsync(ImportRun run, CancellationToken ct)
    {
        var job = run.Job;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        long inserted = 0, updated = 0, suppressed = 0, ofThisRun = 0;
        if (run.Staged > 0)
        {
            await using (var tune = new NpgsqlCommand("SET LOCAL work_mem = '256MB'; SET LOCAL synchronous_commit = off", connection, transaction))
                await tune.ExecuteNonQueryAsync(ct);
            await using var merge = new NpgsqlCommand(MergeSql(run), connection, transaction);
            merge.Parameters.AddWithValue("tenant", run.Tenant.Id);
            merge.Parameters.AddWithValue("job", job.Id);
            merge.Parameters.AddWithValue("now", run.Now);
            var i = 0;
            foreach (var language in run.WelcomeCampaigns.Keys)
                merge.Parameters.AddWithValue($"l{i++}", language);
            merge.CommandTimeout = 600;
            await using (var result = await merge.ExecuteReaderAsync(ct))
            {
                await result.ReadAsync(ct);
                (inserted, updated, suppressed, ofThisRun) = (result.GetInt64(0), result.GetInt64(1), result.GetInt64(2), result.GetInt64(3));
            }
            await using var clean = new NpgsqlCommand("DELETE FROM import_staging WHERE job_id = @job", connection, transaction);
            clean.Parameters.AddWithValue("job", job.Id);
            await clean.ExecuteNonQueryAsync(ct);
        }
        // A staged row that updated a contact this run wrote earlier is a repeat within the file, not an update.
        (job.Inserted, job.Updated, job.Suppressed) = (run.Copied + inserted, updated - ofThisRun, suppressed);
        job.Duplicates = job.Accepted - job.Inserted - job.Updated;
        await db.Database.UseTransactionAsync(transaction, ct);
        await SubscriberBatches.EnqueueAsync(outbox, run.Tenant.Id, job.Id, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await db.Database.UseTransactionAsync(null, ct);
    }

    private static string MergeSql(ImportRun run)
    {
        var values = string.Join(", ", run.WelcomeCampaigns.Select((w, i) => $"(@l{i}, {w.Value})"));
        // Only the fast path writes before this statement, and it only inserts: a contact created with this run's stamp
        // is an earlier occurrence of the address in this file. key_hash is Contact.KeyHashOf: the first 128 bits of the
        // staged SHA-256 (email_hash).
        const string thisRun = "(contacts.import_job_id = @job AND contacts.created_at = @now)";
        string Keep(string column) => $"{column} = CASE WHEN {thisRun} THEN EXCLUDED.{column} ELSE COALESCE(EXCLUDED.{column}, contacts.{column}) END";
        return $"""
            WITH w(language, campaign_id) AS (VALUES {values}),
            merged AS (
              INSERT INTO contacts (tenant_id, key_hash, email, email_key, first_name, last_name, company, language, source, tags, fields, status, flags,
                                    welcome_campaign_id, sync_status, sync_attempts, created_at, updated_at, import_job_id)
              SELECT DISTINCT ON (s.email_key) @tenant, substr(s.email_hash, 1, 32)::uuid, s.email, s.email_key, s.first_name, s.last_name, s.company, s.language, s.source, s.tags, s.fields,
                     CASE WHEN p.email_hash IS NULL THEN 'active' ELSE 'suppressed' END,
                     s.flags, w.campaign_id, 'pending', 0, @now, @now, @job
              FROM import_staging s JOIN w ON w.language = s.language
              LEFT JOIN (SELECT DISTINCT email_hash FROM suppressions WHERE tenant_id IS NULL OR tenant_id = @tenant) p ON p.email_hash = s.email_hash
              WHERE s.job_id = @job
              ORDER BY s.email_key, s.row_number DESC
              ON CONFLICT (key_hash, tenant_id) DO UPDATE SET
                email = EXCLUDED.email, {Keep("first_name")}, {Keep("last_name")}, {Keep("company")}, {Keep("source")},
                tags = CASE WHEN {thisRun} THEN EXCLUDED.tags ELSE contacts.tags END,
                fields = CASE WHEN {thisRun} OR EXCLUDED.fields <> {EmptyObject} THEN EXCLUDED.fields ELSE contacts.fields END,
                status = EXCLUDED.status, flags = EXCLUDED.flags, {(run.FileHasLanguage ? "language = EXCLUDED.language, welcome_campaign_id = EXCLUDED.welcome_campaign_id," : "")}
                sync_status = 'pending', sync_attempts = 0, updated_at = EXCLUDED.updated_at, import_job_id = EXCLUDED.import_job_id
              RETURNING (xmax = 0) AS inserted, status, (import_job_id = @job AND created_at = @now) AS of_this_run)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), count(*) FILTER (WHERE status = 'suppressed'),
                   count(*) FILTER (WHERE of_this_run AND NOT inserted) FROM merged
            """;
    }
}
