using System.Data;
using System.Security.Claims;
using System.Text;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Sylvan.Data.Csv;

namespace EmailEngine.Suppressions;

public sealed record AddSuppressionRequest(string? Email, string? Reason, string? Tenant, string? Scope, string? Note);

public sealed record SuppressionMatch(string Scope, string Reason, DateTimeOffset CreatedAt);

public sealed record SuppressionCheckResponse(string Email, bool Suppressed, IEnumerable<SuppressionMatch> Entries);

public sealed record RejectedSuppressionRow(int Row, string Value, string Reason);

public sealed record SuppressionImportResponse(int Added, int AlreadySuppressed, IReadOnlyList<RejectedSuppressionRow> Rejected);

public sealed record SuppressionResponse(long Id, string Scope, string? Tenant, string? Email, string Reason, string Source,
    string? Note, DateTimeOffset CreatedAt)
{
    public static SuppressionResponse From(Suppression s) => new(s.Id, s.TenantId is null ? "global" : "tenant", s.Tenant?.Slug,
        s.Email, SuppressionReasons.ToWire(s.Reason), s.Source, s.Note, s.CreatedAt);
}

/// <summary>
/// <c>/api/v2/suppressions</c>: the operator manages the global list (<c>"scope": "global"</c>) and any tenant's;
/// a tenant key manages its own tenant's list and can check (not list) global entries for its addresses.
/// </summary>
public static class SuppressionEndpoints
{
    public static IEndpointRouteBuilder MapSuppressionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/suppressions").WithTags("Suppressions");
        // 403: a tenant key asking for the global list (or lifting an erasure or complaint); 404: naming another tenant.
        group.MapPost("/", Add).WithName("AddSuppression")
            .Produces<SuppressionResponse>(201).Produces<SuppressionResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/", List).WithName("ListSuppressions")
            .Produces<Page<SuppressionResponse>>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/check", Check).WithName("CheckSuppression")
            .Produces<SuppressionCheckResponse>().ProducesValidationProblem().ProducesProblem(404);
        group.MapDelete("/{id:long}", Remove).WithName("RemoveSuppression")
            .Produces(204).ProducesProblem(403).ProducesProblem(404);
        group.MapPost("/import", Import).WithName("ImportSuppressions")
            .Produces<SuppressionImportResponse>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/export", Export).WithName("ExportSuppressions")
            .Produces<string>(200, "text/csv").ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404);
        return app;
    }

    public static async Task<IResult> Add(AddSuppressionRequest request, ClaimsPrincipal user, TenantScope tenants,
        SuppressionService suppressions, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Email))
            errors.Add("email", "required");
        var reason = request.Reason is null ? SuppressionReason.Manual : SuppressionReasons.Parse(request.Reason);
        if (reason is null)
            errors.Add("reason", $"must be one of {string.Join(", ", SuppressionReasons.Names)}");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        var scope = await ResolveScopeAsync(request.Scope, request.Tenant, user, tenants, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();
        var added = await suppressions.AddAsync(scope.Value, request.Email!, reason!.Value, "api", request.Note, ct);
        return added.ToHttp(r => r.Created
            ? TypedResults.Created($"/api/v2/suppressions/{r.Entry.Id}", SuppressionResponse.From(r.Entry))
            : TypedResults.Ok(SuppressionResponse.From(r.Entry)));
    }

    public static async Task<IResult> List(string? tenant, string? scope, string? reason, long? after, ClaimsPrincipal user,
        TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var resolved = await ResolveScopeAsync(scope, tenant, user, tenants, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();
        var query = db.Set<Suppression>().AsNoTracking().Include(s => s.Tenant).Where(s => s.TenantId == resolved.Value);
        if (reason is not null)
        {
            if (SuppressionReasons.Parse(reason) is not { } wanted)
                return Failure.Field("reason", $"must be one of {string.Join(", ", SuppressionReasons.Names)}").ToProblem();
            query = query.Where(s => s.Reason == wanted);
        }
        var items = await query.Where(s => after == null || s.Id > after).OrderBy(s => s.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(new Page<SuppressionResponse>(items.Select(SuppressionResponse.From), items.Count == 500 ? items[^1].Id : null));
    }

    public static async Task<IResult> Check(string? email, string? tenant, ClaimsPrincipal user, TenantScope tenants,
        SuppressionService suppressions, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(email))
            return Failure.Field("email", "required").ToProblem();
        var resolved = await tenants.ForWriteAsync(user, tenant, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();
        var matches = await suppressions.MatchesAsync(resolved.Value!.Id, email, ct);
        return TypedResults.Ok(new SuppressionCheckResponse(Suppression.Normalize(email), matches.Count > 0,
            matches.Select(m => new SuppressionMatch(m.TenantId is null ? "global" : "tenant", SuppressionReasons.ToWire(m.Reason), m.CreatedAt))));
    }

    public static async Task<IResult> Remove(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var entry = await db.Set<Suppression>().SingleOrDefaultAsync(s => s.Id == id && (caller.IsOperator || s.TenantId == caller.TenantId), ct);
        if (entry is null)
            return new Failure.NotFound($"Suppression {id} does not exist.").ToProblem();
        if (entry.Reason is SuppressionReason.Erased or SuppressionReason.Complaint && !caller.IsOperator)
            return new Failure.Forbidden("Only the operator may lift an erasure or complaint suppression.").ToProblem();
        db.Remove(entry);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>CSV body <c>email[,reason[,note]]</c>, header optional; bad rows are reported, good rows added.</summary>
    public static Task<IResult> Import(HttpRequest request, string? tenant, string? scope, ClaimsPrincipal user,
        TenantScope tenants, SuppressionService suppressions, CancellationToken ct) =>
        ImportFrom(request.Body, tenant, scope, user, tenants, suppressions, ct);

    /// <summary>The import from any stream: the request body here, a form's file in the console.</summary>
    public static async Task<IResult> ImportFrom(Stream body, string? tenant, string? scope, ClaimsPrincipal user,
        TenantScope tenants, SuppressionService suppressions, CancellationToken ct)
    {
        var resolved = await ResolveScopeAsync(scope, tenant, user, tenants, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();
        var (added, existing, rejected) = (0, 0, new List<RejectedSuppressionRow>());
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        // Quoted fields (a note with a comma) as any CSV tool writes them; a badly quoted row is read as it stands.
        await using var records = await CsvDataReader.CreateAsync(reader, new CsvDataReaderOptions { HasHeaders = false, CsvStyle = CsvStyle.Lax }, ct);
        var row = 0;
        while (await records.ReadAsync(ct))
        {
            row++;
            string Cell(int i) => i < records.RowFieldCount ? records.GetString(i).Trim() : "";
            var email = Cell(0);
            if (row == 1 && email.Equals("email", StringComparison.OrdinalIgnoreCase) || email.Length == 0)
                continue;
            var reason = Cell(1).Length > 0 ? SuppressionReasons.Parse(Cell(1)) : SuppressionReason.Manual;
            if (reason is null)
            {
                rejected.Add(new RejectedSuppressionRow(row, Cell(1), "unknown reason"));
                continue;
            }
            var note = Cell(2) is { Length: > 0 } given ? given : null;
            var result = await suppressions.AddAsync(resolved.Value, email, reason.Value, "import", note, ct);
            if (!result.IsSuccess)
                rejected.Add(new RejectedSuppressionRow(row, email, "not an email address"));
            else if (result.Value.Created)
                added++;
            else
                existing++;
        }
        return TypedResults.Ok(new SuppressionImportResponse(added, existing, rejected));
    }

    public static async Task<IResult> Export(string? tenant, string? scope, ClaimsPrincipal user, TenantScope tenants, AppDbContext db,
        CancellationToken ct)
    {
        var resolved = await ResolveScopeAsync(scope, tenant, user, tenants, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();
        var rows = await db.Set<Suppression>().AsNoTracking().Where(s => s.TenantId == resolved.Value && s.Email != null)
            .OrderBy(s => s.Id).Select(s => new { s.Email, s.Reason, s.CreatedAt }).ToListAsync(ct);
        var table = new DataTable();
        foreach (var column in new[] { "email", "reason", "created_at" })
            table.Columns.Add(column, typeof(string));
        foreach (var r in rows)
            table.Rows.Add(r.Email, SuppressionReasons.ToWire(r.Reason), ApiJson.Timestamps.Format(r.CreatedAt));
        using var csv = new StringWriter();
        using (var writer = CsvDataWriter.Create(csv))
            await writer.WriteAsync(table.CreateDataReader(), ct);
        return TypedResults.Text(csv.ToString(), "text/csv");
    }

    /// <summary>Global scope (null) for the operator's <c>scope=global</c>; otherwise a tenant id.</summary>
    private static async Task<Result<long?>> ResolveScopeAsync(string? scope, string? tenant, ClaimsPrincipal user, TenantScope tenants,
        CancellationToken ct)
    {
        if (string.Equals(scope, "global", StringComparison.OrdinalIgnoreCase))
            return Caller.From(user).IsOperator ? (long?)null : new Failure.Forbidden("Only the operator manages the global suppression list.");
        if (scope is not null && !string.Equals(scope, "tenant", StringComparison.OrdinalIgnoreCase))
            return Failure.Field("scope", "must be 'global' or 'tenant'");
        var resolved = await tenants.ForWriteAsync(user, tenant, ct);
        return resolved.IsSuccess ? resolved.Value!.Id : resolved.Error!;
    }
}
