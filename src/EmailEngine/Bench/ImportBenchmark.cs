using System.Diagnostics;
using System.Text;
using EmailEngine.Contacts.Import;
using EmailEngine.Data;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EmailEngine.Bench;

public sealed record ImportBenchResult(long Rows, double ImportRowsPerSecond, double RawCopyRowsPerSecond, ImportJob Job);

/// <summary>
/// <c>email-engine bench import</c>: generates a realistic contacts CSV (3% invalid addresses, 2% repeats, custom
/// fields), imports it for a scratch tenant, then COPYs the same file raw into a scratch table, and compares.
/// </summary>
public sealed class ImportBenchmark(AppDbContext db, TenantScope tenants, ContactImporter importer)
{
    public async Task<ImportBenchResult> RunAsync(int rows, string workDirectory, TextWriter output, CancellationToken ct)
    {
        Directory.CreateDirectory(workDirectory);
        var file = Path.Combine(workDirectory, $"bench-contacts-{rows}.csv");
        output.WriteLine($"generating {rows:N0} rows in {file}");
        Generate(file, rows);

        var slug = $"bench-{Guid.NewGuid():N}"[..20];
        var tenant = await tenants.CreateAsync(slug, slug, "fr", ct);
        var job = new ImportJob { TenantId = tenant.Id, FileName = Path.GetFileName(file), CreatedAt = DateTimeOffset.UtcNow };
        db.Add(job);
        await db.SaveChangesAsync(ct);

        var watch = Stopwatch.StartNew();
        var stagedAfter = TimeSpan.Zero;
        var phases = new SynchronousProgress(p => { if (p.Phase == "staged") stagedAfter = watch.Elapsed; });
        await using (var stream = File.OpenRead(file))
            await importer.RunAsync(job, tenant, stream, new ImportOptions(), phases, ct);
        var importRate = rows / watch.Elapsed.TotalSeconds;
        output.WriteLine($"  read + validate + COPY to staging: {stagedAfter.TotalSeconds:F2} s; merge into contacts: {(watch.Elapsed - stagedAfter).TotalSeconds:F2} s");
        output.WriteLine($"import: {rows:N0} rows in {watch.Elapsed.TotalSeconds:F2} s = {importRate:N0} rows/s ({job.Accepted:N0} accepted, {job.Rejected:N0} rejected, {job.Duplicates:N0} duplicates)");

        var rawRate = await RawCopyAsync(file, rows, ct);
        output.WriteLine($"raw COPY of the same file: {rawRate:N0} rows/s");
        output.WriteLine($"import / raw COPY = {importRate / rawRate:P0}");

        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM outbox_messages WHERE tenant_id = {tenant.Id}", ct);
        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM contacts WHERE tenant_id = {tenant.Id}", ct);
        File.Delete(file);
        return new ImportBenchResult(rows, importRate, rawRate, job);
    }

    private async Task<double> RawCopyAsync(string file, int rows, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync(ct);
        await using (var create = new NpgsqlCommand(
            "CREATE UNLOGGED TABLE IF NOT EXISTS bench_raw_copy (email text, first_name text, last_name text, company text, language text, city text); TRUNCATE bench_raw_copy", connection))
            await create.ExecuteNonQueryAsync(ct);
        var watch = Stopwatch.StartNew();
        await using (var writer = await connection.BeginTextImportAsync("COPY bench_raw_copy FROM STDIN (FORMAT CSV, HEADER true)", ct))
        using (var reader = new StreamReader(file))
        {
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, ct)) > 0)
                await writer.WriteAsync(buffer.AsMemory(0, read), ct);
        }
        var rate = rows / watch.Elapsed.TotalSeconds;
        await using (var drop = new NpgsqlCommand("DROP TABLE bench_raw_copy", connection))
            await drop.ExecuteNonQueryAsync(ct);
        return rate;
    }

    private static void Generate(string file, int rows)
    {
        var random = new Random(42);
        string[] first = ["Zoé", "Lucas", "Emma", "Hugo", "Léa", "Jules", "Chloé", "Louis", "Manon", "Gabriel"];
        string[] last = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"];
        string[] domains = ["gmail.com", "orange.fr", "free.fr", "outlook.com", "yahoo.fr", "laposte.net", "example.com"];
        using var writer = new StreamWriter(file, false, new UTF8Encoding(true), 1 << 16);
        writer.WriteLine("email,first_name,last_name,company,language,fields.CITY");
        for (var i = 0; i < rows; i++)
        {
            var n = random.Next(100) < 2 && i > 0 ? random.Next(i) : i; // ~2% repeat an earlier address
            var email = random.Next(100) < 3 ? $"broken..{n}@{domains[n % domains.Length]}" : $"user.{n}@{domains[n % domains.Length]}";
            writer.Write(email); writer.Write(',');
            writer.Write(first[n % first.Length]); writer.Write(',');
            writer.Write(last[n % last.Length]); writer.Write(',');
            writer.Write(n % 5 == 0 ? "\"Acme, Inc.\"" : "Voyages SA"); writer.Write(',');
            writer.Write(n % 4 == 0 ? "en" : "fr"); writer.Write(',');
            writer.WriteLine("Paris");
        }
    }
}

/// <summary>Progress callbacks on the reporting thread (Progress&lt;T&gt; posts them to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
{
    public void Report(ImportProgress value) => report(value);
}
