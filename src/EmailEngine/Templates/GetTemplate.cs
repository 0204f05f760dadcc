using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Templates;

public static class GetTemplate
{
    public static async Task<IResult> Handle(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var template = await FindAsync(id, user, tenants, db, ct);
        return template.ToHttp(t => TypedResults.Ok(TemplateResponse.From(t, t.Tenant.Slug)));
    }

    /// <summary>Queues a fresh push (after a failure, or to repair MailWizz by hand-edits there).</summary>
    public static async Task<IResult> Resync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db,
        OutboxWriter outbox, CancellationToken ct)
    {
        var found = await FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        var template = found.Value!;
        template.Sync.MarkPending();
        await TemplateSync.EnqueueAsync(outbox, template, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v2/templates/{id}", TemplateResponse.From(template, template.Tenant.Slug));
    }

    /// <summary>A template the caller may see; another tenant's answers 404 as if it did not exist.</summary>
    internal static async Task<Result<EmailTemplate>> FindAsync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, null, ct);
        var template = await db.Set<EmailTemplate>().Include(t => t.Tenant)
            .SingleOrDefaultAsync(t => t.Id == id && (scope.Value == null || t.TenantId == scope.Value), ct);
        return template is null ? new Failure.NotFound($"Template {id} does not exist.") : template;
    }
}
