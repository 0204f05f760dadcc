using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using EmailEngine.Contacts.Validation;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using Sylvan.Data.Csv;

namespace EmailEngine.Contacts.Import;

public sealed record ImportOptions(char? Delimiter = null, IReadOnlyDictionary<string, string>? Mapping = null);

public sealed record ImportProgress(long Rows, long Accepted, long Rejected, double RowsPerSecond, string Phase);

/// <summary>
/// Bulk import, streamed: CSV rows are read one at a time (flat memory whatever the file size), validated with the
/// intake rules and written with binary COPY into an UNLOGGED staging table; one set-based statement then merges
/// them into <c>contacts</c> (last occurrence of an address wins, suppressed addresses are stored as suppressed,
/// existing contacts are updated, never duplicated). Subscribers then reach MailWizz in bulk batches through the
/// outbox. Re-running the same file after a crash completes it without duplicates.
/// </summary>
public sealed class ContactImporter(AppDbContext db, DatabaseTarget database, WelcomeWorkflow welcome, OutboxWriter outbox, TimeProvider clock)
{
    private const int ProgressEvery = 50_000;
    private const string EmptyObject = "'{}'";

    public async Task<ImportJob> RunAsync(ImportJob job, Tenant tenant, Stream csv, ImportOptions options, IProgress<ImportProgress>? progress,
        CancellationToken ct)
    {
        if (database.Provider != DatabaseProvider.Postgres)
            return await FailAsync(job, "bulk import needs PostgreSQL (DATABASE_URL=postgresql://…); the embedded SQLite default takes contacts one by one", ct);
        job.Status = ImportStatus.Running;
        job.StartedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        try
        {
            var hasLanguage = await StageAsync(job, tenant, csv, options, progress, ct);
            progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, 0, "merging"));
            await MergeAsync(job, tenant, hasLanguage, ct);
            job.Status = ImportStatus.Completed;
        }
        catch (Exception e) when (e is CsvFormatException or InvalidDataException or DecoderFallbackException)
        {
            return await FailAsync(job, $"the file is not readable CSV: {e.Message}", ct);
        }
        job.FinishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return job;
    }

    private async Task<ImportJob> FailAsync(ImportJob job, string error, CancellationToken ct)
    {
        job.Status = ImportStatus.Failed;
        job.Error = error;
        job.FinishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return job;
    }

    /// <summary>Stages the file's rows; returns whether it has a language column.</summary>
    private async Task<bool> StageAsync(ImportJob job, Tenant tenant, Stream csv, ImportOptions options, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var connectionString = db.Database.GetConnectionString()!;
        await using var staging = new NpgsqlConnection(connectionString);
        await using var rejects = new NpgsqlConnection(connectionString);
        await staging.OpenAsync(ct);
        await rejects.OpenAsync(ct);
        await using (var clean = new NpgsqlCommand("DELETE FROM import_staging WHERE job_id = $1", staging) { Parameters = { new() { Value = job.Id } } })
            await clean.ExecuteNonQueryAsync(ct);
        await using var rows = await staging.BeginBinaryImportAsync(
            "COPY import_staging (job_id, row_number, email, email_key, email_hash, first_name, last_name, company, language, source, tags, fields, flags) FROM STDIN (FORMAT BINARY)", ct);
        await using var bad = await rejects.BeginBinaryImportAsync("COPY import_rejects (job_id, row_number, value, reason) FROM STDIN (FORMAT BINARY)", ct);

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

        // Two stages on two cores: this task parses and validates, the other writes COPY rows.
        var channel = Channel.CreateBounded<StagedRow>(new BoundedChannelOptions(8192) { SingleReader = true, SingleWriter = true });
        var writer = Task.Run(() => WriteRows(channel.Reader, rows, bad, job.Id), ct);
        var watch = Stopwatch.StartNew();
        var rowNumber = 1L; // the header
        try
        {
            while (await records.ReadAsync(ct))
            {
                rowNumber++;
                job.Rows++;
                var row = Validate(records, columns, headers.Count, rowNumber, tenant.DefaultLanguage);
                if (row.Reject is null) job.Accepted++; else job.Rejected++;
                if (!channel.Writer.TryWrite(row))
                    await channel.Writer.WriteAsync(row, ct);
                if (job.Rows % ProgressEvery == 0)
                    progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, job.Rows / watch.Elapsed.TotalSeconds, "reading"));
            }
        }
        finally
        {
            channel.Writer.Complete();
        }
        await writer;
        await rows.CompleteAsync(ct);
        await bad.CompleteAsync(ct);
        progress?.Report(new ImportProgress(job.Rows, job.Accepted, job.Rejected, job.Rows / Math.Max(watch.Elapsed.TotalSeconds, 1e-6), "staged"));
        return columns.Language >= 0;
    }

    /// <summary>A parsed row, or a rejection (<see cref="Reject"/> set).</summary>
    private sealed record StagedRow(long RowNumber, string? Email, string? Key, string? Language, string? FirstName, string? LastName,
        string? Company, string? Source, string? Tags, string? Fields, int Flags, string? Reject, string? RejectedValue);

    private static StagedRow Validate(CsvDataReader records, ImportColumns columns, int expectedColumns, long rowNumber, string defaultLanguage)
    {
        if (records.RowFieldCount != expectedColumns)
            return Rejected(rowNumber, null, $"expected {expectedColumns} columns, found {records.RowFieldCount}");
        var raw = records.GetString(columns.Email);
        var check = EmailAddressValidator.Check(raw);
        if (!check.IsValid)
            return Rejected(rowNumber, raw, $"{check.Reason} ({check.Code})");
        var language = columns.Language >= 0 && TenantRules.NormalizeLanguage(records.GetString(columns.Language)) is { } l ? l : defaultLanguage;
        return new StagedRow(rowNumber, check.Normalized, check.Normalized!.ToLowerInvariant(), language, Optional(records, columns.FirstName, 255),
            Optional(records, columns.LastName, 255), Optional(records, columns.Company, 255), Optional(records, columns.Source, 100),
            Tags(records, columns.Tags), Fields(records, columns.Fields), (int)check.Flags, null, null);
    }

    private static StagedRow Rejected(long rowNumber, string? value, string reason) =>
        new(rowNumber, null, null, null, null, null, null, null, null, null, 0, reason, value);

    private static string? Optional(CsvDataReader records, int column, int max)
    {
        var value = column >= 0 ? records.GetString(column).Trim() : "";
        return value.Length == 0 ? null : value.Length > max ? value[..max] : value;
    }

    /// <summary>The COPY side: synchronous writes (no per-field await) on the second core.</summary>
    private static async Task WriteRows(ChannelReader<StagedRow> staged, NpgsqlBinaryImporter rows, NpgsqlBinaryImporter bad, long jobId)
    {
        await foreach (var row in staged.ReadAllAsync())
        {
            if (row.Reject is not null)
            {
                bad.StartRow();
                bad.Write(jobId, NpgsqlDbType.Bigint);
                bad.Write(row.RowNumber, NpgsqlDbType.Bigint);
                if (row.RejectedValue is null) bad.WriteNull(); else bad.Write(Truncate(row.RejectedValue, 1000), NpgsqlDbType.Text);
                bad.Write(Truncate(row.Reject, 500), NpgsqlDbType.Text);
                continue;
            }
            rows.StartRow();
            rows.Write(jobId, NpgsqlDbType.Bigint);
            rows.Write(row.RowNumber, NpgsqlDbType.Bigint);
            rows.Write(row.Email!, NpgsqlDbType.Text);
            rows.Write(row.Key!, NpgsqlDbType.Text);
            rows.Write(Suppressions.Suppression.HashOf(row.Key!), NpgsqlDbType.Text);
            WriteOptional(rows, row.FirstName);
            WriteOptional(rows, row.LastName);
            WriteOptional(rows, row.Company);
            rows.Write(row.Language!, NpgsqlDbType.Text);
            WriteOptional(rows, row.Source);
            rows.Write(row.Tags!, NpgsqlDbType.Text);
            rows.Write(row.Fields!, NpgsqlDbType.Text);
            rows.Write(row.Flags, NpgsqlDbType.Integer);
        }
    }

    private static void WriteOptional(NpgsqlBinaryImporter rows, string? value)
    {
        if (value is null) rows.WriteNull(); else rows.Write(value, NpgsqlDbType.Text);
    }

    private static string Truncate(string value, int max) => value.Length > max ? value[..max] : value;

    private static string Tags(CsvDataReader records, int column) => column < 0 || records.GetString(column).Trim().Length == 0
        ? "[]"
        : JsonSerializer.Serialize(records.GetString(column).Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Fields(CsvDataReader records, IReadOnlyList<(int Index, string Tag)> fields)
    {
        if (fields.Count == 0)
            return "{}";
        var values = new Dictionary<string, string>();
        foreach (var (index, tag) in fields)
            if (records.GetString(index).Trim() is { Length: > 0 } value)
                values[tag] = value.Length > 255 ? value[..255] : value;
        return JsonSerializer.Serialize(values);
    }

    /// <summary>
    /// One statement: the last occurrence of each address wins; addresses on the tenant's or the global suppression
    /// list are stored as suppressed; existing contacts keep values the file leaves empty, and keep their language
    /// (and so their welcome autoresponder and list) when the file has no language column.
    /// </summary>
    private async Task MergeAsync(ImportJob job, Tenant tenant, bool fileHasLanguage, CancellationToken ct)
    {
        var languages = await db.Set<ImportStagingRow>().Where(r => r.JobId == job.Id).Select(r => r.Language).Distinct().ToListAsync(ct);
        var welcomeCampaigns = new Dictionary<string, long>();
        foreach (var language in languages)
            welcomeCampaigns[language] = (await welcome.ChooseAsync(tenant, language, ct)).Campaign.Id;
        var now = clock.GetUtcNow();
        var values = welcomeCampaigns.Count == 0 ? "('', 0)" : string.Join(", ", welcomeCampaigns.Select((w, i) => $"(@l{i}, {w.Value})"));
        var sql = $"""
            WITH w(language, campaign_id) AS (VALUES {values}),
            merged AS (
              INSERT INTO contacts (tenant_id, email, email_key, first_name, last_name, company, language, source, tags, fields, status, flags,
                                    welcome_campaign_id, sync_status, sync_attempts, created_at, updated_at, import_job_id)
              SELECT DISTINCT ON (s.email_key) @tenant, s.email, s.email_key, s.first_name, s.last_name, s.company, s.language, s.source, s.tags, s.fields,
                     CASE WHEN p.email_hash IS NULL THEN 'active' ELSE 'suppressed' END,
                     s.flags, w.campaign_id, 'pending', 0, @now, @now, @job
              FROM import_staging s JOIN w ON w.language = s.language
              LEFT JOIN (SELECT DISTINCT email_hash FROM suppressions WHERE tenant_id IS NULL OR tenant_id = @tenant) p ON p.email_hash = s.email_hash
              WHERE s.job_id = @job
              ORDER BY s.email_key, s.row_number DESC
              ON CONFLICT (tenant_id, email_key) DO UPDATE SET
                email = EXCLUDED.email,
                first_name = COALESCE(EXCLUDED.first_name, contacts.first_name),
                last_name = COALESCE(EXCLUDED.last_name, contacts.last_name),
                company = COALESCE(EXCLUDED.company, contacts.company),
                source = COALESCE(EXCLUDED.source, contacts.source),
                fields = CASE WHEN EXCLUDED.fields = {EmptyObject} THEN contacts.fields ELSE EXCLUDED.fields END,
                status = EXCLUDED.status, flags = EXCLUDED.flags, {(fileHasLanguage ? "language = EXCLUDED.language, welcome_campaign_id = EXCLUDED.welcome_campaign_id," : "")}
                sync_status = 'pending', sync_attempts = 0, updated_at = EXCLUDED.updated_at, import_job_id = EXCLUDED.import_job_id
              RETURNING (xmax = 0) AS inserted, status)
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), count(*) FILTER (WHERE status = 'suppressed') FROM merged
            """;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var tune = new NpgsqlCommand("SET LOCAL work_mem = '256MB'; SET LOCAL synchronous_commit = off", connection, transaction))
            await tune.ExecuteNonQueryAsync(ct);
        await using (var merge = new NpgsqlCommand(sql, connection, transaction))
        {
            merge.Parameters.AddWithValue("tenant", tenant.Id);
            merge.Parameters.AddWithValue("job", job.Id);
            merge.Parameters.AddWithValue("now", now);
            var i = 0;
            foreach (var language in welcomeCampaigns.Keys)
                merge.Parameters.AddWithValue($"l{i++}", language);
            merge.CommandTimeout = 600;
            await using var result = await merge.ExecuteReaderAsync(ct);
            await result.ReadAsync(ct);
            (job.Inserted, job.Updated, job.Suppressed) = (result.GetInt64(0), result.GetInt64(1), result.GetInt64(2));
        }
        job.Duplicates = job.Accepted - job.Inserted - job.Updated;
        await using (var clean = new NpgsqlCommand("DELETE FROM import_staging WHERE job_id = @job", connection, transaction))
        {
            clean.Parameters.AddWithValue("job", job.Id);
            await clean.ExecuteNonQueryAsync(ct);
        }
        await db.Database.UseTransactionAsync(transaction, ct);
        await SubscriberBatches.EnqueueAsync(outbox, tenant.Id, job.Id, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await db.Database.UseTransactionAsync(null, ct);
    }
}
