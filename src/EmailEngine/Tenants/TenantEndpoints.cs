using System.Security.Claims;
using EmailEngine.Auth;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Tenants;

public sealed record CreateTenantRequest(string? Slug, string? Name, string? DefaultLanguage);
public sealed record UpdateTenantRequest(string? Name, string? DefaultLanguage);
public sealed record TenantResponse(string Slug, string Name, string DefaultLanguage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TenantResponse From(Tenant t) => new(t.Slug, t.Name, t.DefaultLanguage, t.CreatedAt, t.UpdatedAt);
}

public static class TenantEndpoints
{
    public static IEndpointRouteBuilder MapTenantEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/tenants").WithTags("Tenants");
        group.MapPost("/", CreateTenant).RequireAuthorization(AuthSetup.OperatorPolicy);
        group.MapGet("/", ListTenants);
        group.MapGet("/{slug}", GetTenant);
        group.MapPatch("/{slug}", UpdateTenant).RequireAuthorization(AuthSetup.OperatorPolicy);
        return app;
    }

    public static async Task<IResult> CreateTenant(CreateTenantRequest request, TenantScope scope, AppDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
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
            TenantRules.NormalizeLanguage(request.DefaultLanguage), ct);
        return TypedResults.Created($"/api/v1/tenants/{slug}", TenantResponse.From(tenant));
    }

    public static async Task<IResult> ListTenants(ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var tenants = await db.Set<Tenant>().AsNoTracking()
            .Where(t => caller.IsOperator || t.Id == caller.TenantId).OrderBy(t => t.Slug).ToListAsync(ct);
        return TypedResults.Ok(new { items = tenants.Select(TenantResponse.From) });
    }

    public static async Task<IResult> GetTenant(string slug, ClaimsPrincipal user, TenantScope scope, AppDbContext db, CancellationToken ct)
    {
        var id = await scope.ForReadAsync(user, slug, ct);
        if (!id.IsSuccess)
            return id.Error!.ToProblem();
        var tenant = await db.Set<Tenant>().AsNoTracking().SingleAsync(t => t.Id == id.Value, ct);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }

    public static async Task<IResult> UpdateTenant(string slug, UpdateTenantRequest request, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Slug == slug, ct);
        if (tenant is null)
            return new Failure.NotFound($"Tenant '{slug}' does not exist.").ToProblem();
        var errors = new FieldErrors();
        TenantRules.CheckLanguage(errors, "default_language", request.DefaultLanguage);
        if (request.Name is { } n && n.Trim().Length is 0 or > 200)
            errors.Add("name", "must be 1-200 characters");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (request.Name is { } name) tenant.Name = name.Trim();
        if (request.DefaultLanguage is { } language) tenant.DefaultLanguage = TenantRules.NormalizeLanguage(language)!;
        tenant.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }
}
