using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using EmailEngine.PowerMta.Deploy;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta.Hosts;

/// <summary>A host as written by the operator: every field optional here, <see cref="PmtaHostRules"/> says what is required.</summary>
public sealed record PmtaHostRequest(
    string? Name, string? SshHost, int? SshPort, string? SshUser, string? KeyFile, string? HostKey, bool? TrustUnknownHost,
    string? ConfigPath, string? AcctPath, IReadOnlyList<string>? RelaySources, string? SmtpHost, string? PmtaCommand, string? DkimDir,
    int? MgmtPort);

/// <summary><c>source</c>: <c>settings</c> for the default host (read-only here), <c>registry</c> for the others.</summary>
public sealed record PmtaHostResponse(
    string Name, string Source, string? SshHost, int SshPort, string SshUser, string? KeyFile, string? HostKey, bool TrustUnknownHost,
    string ConfigPath, string AcctPath, IReadOnlyList<string> RelaySources, string? SmtpHost, string PmtaCommand, string DkimDir,
    int MgmtPort, bool Configured, int Ips, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt)
{
    public static PmtaHostResponse From(PmtaHostOptions host, int ips, RegisteredPmtaHost? registered) => new(
        host.Name, registered is null ? "settings" : "registry", host.Host, host.Port, host.User, host.KeyFile, host.HostKeyFingerprint,
        host.TrustUnknownHost, host.ConfigPath, host.AcctFile, host.RelaySources, host.SmtpHost, host.PmtaCommand, host.DkimDirectory,
        host.MgmtPort, host.Configured, ips, registered?.CreatedAt, registered?.UpdatedAt);
}

/// <summary>
/// <c>/api/v1/pmta/hosts</c> (operator): the PowerMTA hosts. The default host comes from the <c>PMTA_*</c> settings and
/// is listed, not edited; a registered host is created, replaced (PUT), changed (PATCH) and deleted once no IP is on it.
/// </summary>
public static class PmtaHostEndpoints
{
    public static IEndpointRouteBuilder MapPmtaHostEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pmta/hosts").WithTags("PowerMTA hosts").RequireOperator();
        group.MapGet("/", List).WithName("ListPmtaHosts")
            .Produces<ItemList<PmtaHostResponse>>();
        group.MapGet("/{name}", Get).WithName("GetPmtaHost")
            .Produces<PmtaHostResponse>().ProducesProblem(404);
        group.MapPost("/", Create).WithName("CreatePmtaHost")
            .Produces<PmtaHostResponse>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/{name}", Replace).WithName("ReplacePmtaHost")
            .Produces<PmtaHostResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapPatch("/{name}", Change).WithName("UpdatePmtaHost")
            .Produces<PmtaHostResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapDelete("/{name}", Delete).WithName("DeletePmtaHost")
            .Produces(204).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    public static async Task<IResult> List(PmtaHostDirectory hosts, AppDbContext db, CancellationToken ct)
    {
        var registered = await db.Set<RegisteredPmtaHost>().AsNoTracking().ToDictionaryAsync(h => h.Name, ct);
        var counts = await db.Set<SendingIp>().AsNoTracking().GroupBy(ip => ip.Host).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        int IpsOn(string name) => counts.SingleOrDefault(c => c.Key == PmtaHostDirectory.StoredName(name))?.Count ?? 0;
        return TypedResults.Ok(new ItemList<PmtaHostResponse>((await hosts.AllAsync(ct))
            .Select(h => PmtaHostResponse.From(h, IpsOn(h.Name), registered.GetValueOrDefault(h.Name))).ToList()));
    }

    public static async Task<IResult> Get(string name, PmtaHostDirectory hosts, AppDbContext db, CancellationToken ct)
    {
        if (await hosts.FindAsync(name, ct) is not { } host)
            return NotFound(name).ToProblem();
        return TypedResults.Ok(await ResponseAsync(host, hosts, db, ct));
    }

    public static async Task<IResult> Create(PmtaHostRequest request, AppDbContext db, PmtaHostDirectory hosts, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
            errors.Add("name", "required");
        else if (!Tenants.TenantRules.IsValidSlug(name))
            errors.Add("name", Tenants.TenantRules.SlugRule);
        else if (name == PmtaHostOptions.DefaultName)
            errors.Add("name", $"'{PmtaHostOptions.DefaultName}' is the host of the PMTA_SSH_* settings");
        var host = new RegisteredPmtaHost { Name = name ?? "", SshHost = "", KeyFile = "" };
        PmtaHostRules.Apply(host, request, partial: false, errors);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (await db.Set<RegisteredPmtaHost>().AnyAsync(h => h.Name == host.Name, ct))
            return new Failure.Conflict($"PowerMTA host '{host.Name}' already exists.",
                new Dictionary<string, string[]> { ["name"] = [$"'{host.Name}' already exists"] }).ToProblem();
        host.CreatedAt = host.UpdatedAt = clock.GetUtcNow();
        db.Add(host);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Lost a race with a concurrent creation of the same name.
            return new Failure.Conflict($"PowerMTA host '{host.Name}' already exists.").ToProblem();
        }
        return TypedResults.Created($"/api/v1/pmta/hosts/{host.Name}", await ResponseAsync(host.ToOptions(), hosts, db, ct));
    }

    /// <summary>PUT: the body is the whole host (fields left out take their defaults).</summary>
    public static Task<IResult> Replace(string name, PmtaHostRequest request, AppDbContext db, PmtaHostDirectory hosts, TimeProvider clock,
        CancellationToken ct) => UpdateAsync(name, request, partial: false, db, hosts, clock, ct);

    /// <summary>PATCH: only the fields in the body change.</summary>
    public static Task<IResult> Change(string name, PmtaHostRequest request, AppDbContext db, PmtaHostDirectory hosts, TimeProvider clock,
        CancellationToken ct) => UpdateAsync(name, request, partial: true, db, hosts, clock, ct);

    private static async Task<IResult> UpdateAsync(string name, PmtaHostRequest request, bool partial, AppDbContext db, PmtaHostDirectory hosts,
        TimeProvider clock, CancellationToken ct)
    {
        if (name == PmtaHostOptions.DefaultName)
            return FromSettings().ToProblem();
        var host = await db.Set<RegisteredPmtaHost>().SingleOrDefaultAsync(h => h.Name == name, ct);
        if (host is null)
            return NotFound(name).ToProblem();
        var errors = new FieldErrors();
        if (request.Name is not null && request.Name.Trim() != name)
            errors.Add("name", "cannot be changed: IPs name their host by it");
        PmtaHostRules.Apply(host, request, partial, errors);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        host.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(await ResponseAsync(host.ToOptions(), hosts, db, ct));
    }

    /// <summary>Refused while IPs are on the host: move or delete them first. Its deployments stay in the history.</summary>
    public static async Task<IResult> Delete(string name, AppDbContext db, PmtaHostDirectory hosts, CancellationToken ct)
    {
        if (name == PmtaHostOptions.DefaultName)
            return FromSettings().ToProblem();
        var host = await db.Set<RegisteredPmtaHost>().SingleOrDefaultAsync(h => h.Name == name, ct);
        if (host is null)
            return NotFound(name).ToProblem();
        if (await hosts.IpsOf(host.ToOptions()).CountAsync(ct) is var ips and > 0)
            return new Failure.Conflict($"{ips} IP(s) are on PowerMTA host '{name}': move them to another host (PATCH /api/v1/ips/{{id}} with \"host\") or delete them first.").ToProblem();
        db.Remove(host);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<PmtaHostResponse> ResponseAsync(PmtaHostOptions host, PmtaHostDirectory hosts, AppDbContext db, CancellationToken ct) =>
        PmtaHostResponse.From(host, await hosts.IpsOf(host).CountAsync(ct),
            host.IsDefault ? null : await db.Set<RegisteredPmtaHost>().AsNoTracking().SingleAsync(h => h.Name == host.Name, ct));

    internal static Failure NotFound(string name) => new Failure.NotFound($"PowerMTA host '{name}' does not exist.");

    private static Failure FromSettings() => new Failure.Conflict(
        $"The '{PmtaHostOptions.DefaultName}' host comes from the PMTA_SSH_*, PMTA_CONFIG_PATH, ACCT_REMOTE_FILE, PMTA_RELAY_SOURCES and PMTA_MGMT_PORT settings: change them there.");
}
