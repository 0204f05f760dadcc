using System.Security.Claims;
using System.Text;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts.Import;

public sealed record ImportJobResponse(long Id, string Status, string FileName, long Rows, long Accepted, long Rejected, long Duplicates,
    long Inserted, long Updated, long Suppressed, string? Error, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt)
{
    public static ImportJobResponse From(ImportJob j) => new(j.Id, j.Status.ToString().ToLowerInvariant(), j.FileName, j.Rows, j.Accepted,
        j.Rejected, j.Duplicates, j.Inserted, j.Updated, j.Suppressed, j.Error, j.CreatedAt, j.StartedAt, j.FinishedAt);
}

public static class ImportEndpoints
{
    public static IEndpointRouteBuilder MapImportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/contacts/import").WithTags("Contacts");
        group.MapPost("/", Upload).WithName("ImportContacts")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(app.ServiceProvider.GetRequiredService<EngineSettings>().ImportMaxBytes))
            .Produces<ImportJobResponse>(202).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(413);
        group.MapGet("/{id:long}", GetJob).WithName("GetImportJob")
            .Produces<ImportJobResponse>().ProducesProblem(404);
        group.MapGet("/{id:long}/rejects", GetRejects).WithName("GetImportRejects")
            .Produces<string>(200, "text/csv").ProducesProblem(404);
        return app;
    }

    /// <summary>
    /// Body: the CSV file (any size; streamed to disk). Query: <c>tenant</c>, optional <c>delimiter</c> (<c>,</c> <c>;</c>
    /// <c>tab</c>; detected otherwise) and <c>mapping</c> (JSON object: CSV header → email, first_name, last_name,
    /// company, language, source, tags, fields.TAG). Answers 202 with the job to poll.
    /// </summary>
    public static Task<IResult> Upload(HttpRequest request, string? tenant, string? delimiter, string? mapping, string? filename,
        ClaimsPrincipal user, TenantScope tenants, AppDbContext db, DatabaseTarget database, ImportRunner runner, TimeProvider clock, CancellationToken ct) =>
        UploadFrom(request.Body, tenant, delimiter, mapping, filename, user, tenants, db, database, runner, clock, ct);

    /// <summary>The upload from any stream: the request body here, a form's file in the console.</summary>
    public static async Task<IResult> UploadFrom(Stream body, string? tenant, string? delimiter, string? mapping, string? filename,
        ClaimsPrincipal user, TenantScope tenants, AppDbContext db, DatabaseTarget database, ImportRunner runner, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        char? separator = delimiter switch { null or "" => null, "tab" or "\\t" or "\t" => '\t', "," or ";" or "|" => delimiter[0], _ => '\0' };
        if (separator == '\0')
            errors.Add("delimiter", "must be ',', ';', '|' or 'tab'");
        Dictionary<string, string>? columns = null;
        if (mapping is not null)
        {
            try { columns = JsonSerializer.Deserialize<Dictionary<string, string>>(mapping); }
            catch (JsonException) { errors.Add("mapping", "must be a JSON object of CSV header → field"); }
        }
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (database.Provider != DatabaseProvider.Postgres)
            return new Failure.Conflict(ContactImporter.NeedsPostgres).ToProblem();
        var resolved = await tenants.ForWriteAsync(user, tenant, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();

        // The whole file first (an upload over IMPORT_MAX_BYTES or cut short leaves no job behind), then the job.
        Directory.CreateDirectory(runner.Directory);
        var spooled = Path.Combine(runner.Directory, $"upload-{Guid.NewGuid():N}.part");
        try
        {
            await using var file = File.Create(spooled);
            await body.CopyToAsync(file, ct);
        }
        catch
        {
            File.Delete(spooled);
            throw;
        }
        var job = new ImportJob { TenantId = resolved.Value!.Id, FileName = filename ?? "upload.csv", Status = ImportStatus.Queued, CreatedAt = clock.GetUtcNow() };
        db.Add(job);
        await db.SaveChangesAsync(ct);
        // Options before the file: the start-up sweep takes a job whose file is there, and must find its options with it.
        var path = runner.FileOf(job.Id);
        ImportSpool.WriteOptions(path, new ImportOptions(separator, columns));
        File.Move(spooled, path, overwrite: true);
        await runner.QueueAsync(job.Id, ct);
        return TypedResults.Accepted($"/api/v2/contacts/import/{job.Id}", ImportJobResponse.From(job));
    }

    public static async Task<IResult> GetJob(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct) =>
        await FindAsync(id, user, tenants, db, ct) is { } job
            ? TypedResults.Ok(ImportJobResponse.From(job))
            : new Failure.NotFound($"Import job {id} does not exist.").ToProblem();

    /// <summary>Rejected rows as CSV: row number, value, reason.</summary>
    public static async Task<IResult> GetRejects(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        if (await FindAsync(id, user, tenants, db, ct) is null)
            return new Failure.NotFound($"Import job {id} does not exist.").ToProblem();
        var rows = await db.Set<ImportReject>().AsNoTracking().Where(r => r.JobId == id).OrderBy(r => r.RowNumber).Take(1_000_000).ToListAsync(ct);
        var csv = new StringBuilder("row,value,reason\n");
        foreach (var r in rows)
            csv.Append(r.RowNumber).Append(',').Append(Quote(r.Value ?? "")).Append(',').Append(Quote(r.Reason)).Append('\n');
        return TypedResults.Text(csv.ToString(), "text/csv");
    }

    private static string Quote(string value) => value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;

    private static async Task<ImportJob?> FindAsync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, null, ct);
        return await db.Set<ImportJob>().AsNoTracking().SingleOrDefaultAsync(j => j.Id == id && (scope.Value == null || j.TenantId == scope.Value), ct);
    }
}
