using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Campaigns;

public static class ListCampaigns
{
    public static async Task<IResult> Handle(string? tenant, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, tenant, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();
        var items = await db.Set<Campaign>().AsNoTracking().Include(c => c.Tenant)
            .Where(c => scope.Value == null || c.TenantId == scope.Value).OrderBy(c => c.Id).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<CampaignResponse>(items.Select(CampaignResponse.From)));
    }

    public static async Task<IResult> GetOne(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct) =>
        (await FindAsync(id, user, tenants, db, ct)).ToHttp(c => TypedResults.Ok(CampaignResponse.From(c)));

    /// <summary>A campaign the caller may see; another tenant's answers 404 as if it did not exist.</summary>
    internal static async Task<Result<Campaign>> FindAsync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, null, ct);
        var campaign = await db.Set<Campaign>().Include(c => c.Tenant)
            .SingleOrDefaultAsync(c => c.Id == id && (scope.Value == null || c.TenantId == scope.Value), ct);
        return campaign is null ? new Failure.NotFound($"Campaign {id} does not exist.") : campaign;
    }
}
