using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Templates;

public static class ListTemplates
{
    public static async Task<IResult> Handle(string? tenant, string? language, string? name, ClaimsPrincipal user,
        TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, tenant, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();
        var query = db.Set<EmailTemplate>().AsNoTracking().Include(t => t.Tenant).AsQueryable();
        if (scope.Value is { } tenantId)
            query = query.Where(t => t.TenantId == tenantId);
        if (!string.IsNullOrWhiteSpace(language))
        {
            var normalized = TenantRules.NormalizeLanguage(language);
            if (normalized is null)
                return Failure.Field("language", TenantRules.LanguageRule).ToProblem();
            query = query.Where(t => t.Language == normalized);
        }
        if (!string.IsNullOrWhiteSpace(name))
            query = query.Where(t => t.Name == name.Trim());
        var items = await query.OrderBy(t => t.Id).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<TemplateResponse>(items.Select(t => TemplateResponse.From(t, t.Tenant.Slug))));
    }
}
