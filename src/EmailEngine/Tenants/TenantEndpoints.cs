using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Tenants;

public sealed record SenderRequest(
    string? FromName, string? FromEmail, string? ReplyTo, string? CompanyName, string? CompanyAddress, string? CompanyCity,
    string? CompanyZip, string? CompanyCountry);
public sealed record CreateTenantRequest(string? Slug, string? Name, string? DefaultLanguage, SenderRequest? Sender);
public sealed record UpdateTenantRequest(string? Name, string? DefaultLanguage, SenderRequest? Sender);
public sealed record TenantResponse(
    string Slug, string Name, string DefaultLanguage, SenderSettings Sender, IReadOnlyList<string> SenderMissing,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary><c>sender</c> shows the tenant's own values; <c>sender_missing</c> what neither it nor the operator defaults provide.</summary>
    public static TenantResponse From(Tenant t, EngineSettings settings) => new(t.Slug, t.Name, t.DefaultLanguage, t.Sender,
        t.Sender.Over(settings).Missing(), t.CreatedAt, t.UpdatedAt);
}

public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tenants").WithTags("Tenants");
        group.MapPost("/", CreateTenant).WithName("CreateTenant").RequireOperator()
            .Produces<TenantResponse>(201).ProducesValidationProblem().ProducesProblem(409);
        group.MapGet("/", ListTenants).WithName("ListTenants")
            .Produces<ItemList<TenantResponse>>();
        group.MapGet("/{slug}", GetTenant).WithName("GetTenant")
            .Produces<TenantResponse>().ProducesProblem(404);
        group.MapPatch("/{slug}", UpdateTenant).WithName("UpdateTenant").RequireOperator()
            .Produces<TenantResponse>().ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    public static async Task<IResult> CreateTenant(CreateTenantRequest request, TenantScope scope, AppDbContext db,
        EngineSettings settings, CancellationToken ct)
    {
        var errors = new FieldErrors();
        TenantSender.Check(errors, request.Sender);
        if (string.IsNullOrWhiteSpace(request.Slug))
            errors.Add("slug", "required");
        else if (!TenantRules.IsValidSlug(request.Slug.Trim()))
            errors.Add("slug", TenantRules.SlugRule);
        TenantRules.CheckLanguage(errors, "default_language", request.DefaultLanguage);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        var slug = request.Slug!.Trim();
        if (await db.Set<Tenant>().AnyAsync(t => t.Slug == slug, ct))
            return new Failure.Conflict($"Tenant '{slug}' already exists.").ToProblem();
        var tenant = await scope.CreateAsync(slug, request.Name?.Trim() is { Length: > 0 } name ? name : slug,
            TenantRules.NormalizeLanguage(request.DefaultLanguage), ct, request.Sender);
        return TypedResults.Created($"/api/v1/tenants/{slug}", TenantResponse.From(tenant, settings));
    }

    public static async Task<IResult> ListTenants(ClaimsPrincipal user, AppDbContext db, EngineSettings settings, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var tenants = await db.Set<Tenant>().AsNoTracking()
            .Where(t => caller.IsOperator || t.Id == caller.TenantId).OrderBy(t => t.Slug).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<TenantResponse>(tenants.Select(t => TenantResponse.From(t, settings))));
    }

    public static async Task<IResult> GetTenant(string slug, ClaimsPrincipal user, TenantScope scope, AppDbContext db,
        EngineSettings settings, CancellationToken ct)
    {
        var id = await scope.ForReadAsync(user, slug, ct);
        if (!id.IsSuccess)
            return id.Error!.ToProblem();
        var tenant = await db.Set<Tenant>().AsNoTracking().SingleAsync(t => t.Id == id.Value, ct);
        return TypedResults.Ok(TenantResponse.From(tenant, settings));
    }

    /// <summary>Changing sender settings re-pushes the tenant's list, and with it whatever waited for those settings.</summary>
    public static async Task<IResult> UpdateTenant(string slug, UpdateTenantRequest request, AppDbContext db, OutboxWriter outbox,
        EngineSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Slug == slug, ct);
        if (tenant is null)
            return new Failure.NotFound($"Tenant '{slug}' does not exist.").ToProblem();
        var errors = new FieldErrors();
        TenantRules.CheckLanguage(errors, "default_language", request.DefaultLanguage);
        TenantSender.Check(errors, request.Sender);
        if (request.Name is { } n && n.Trim().Length is 0 or > 200)
            errors.Add("name", "must be 1-200 characters");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (request.Name is { } name) tenant.Name = name.Trim();
        if (request.DefaultLanguage is { } language) tenant.DefaultLanguage = TenantRules.NormalizeLanguage(language)!;
        if (request.Sender is { } sender)
        {
            TenantSender.Apply(tenant.Sender, sender);
            foreach (var list in await db.Set<TenantList>().Where(l => l.TenantId == tenant.Id).ToListAsync(ct))
            {
                list.Sync.MarkPending();
                await TenantSender.EnqueueListAsync(outbox, tenant.Id, list.Language, ct);
            }
        }
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(TenantResponse.From(tenant, settings));
    }
}
