using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Tenants;

namespace EmailEngine.Templates;

public static class DeleteTemplate
{
    /// <summary>Removes the template here and queues its removal from MailWizz; refused while a campaign uses it.</summary>
    public static async Task<IResult> Handle(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db,
        OutboxWriter outbox, ITemplateUsers users, CancellationToken ct)
    {
        var found = await GetTemplate.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        var template = found.Value!;
        var usedBy = await users.CampaignsUsingAsync(id, ct);
        if (usedBy.Count > 0)
            return new Failure.Conflict($"Template {id} is used by campaign(s) {string.Join(", ", usedBy)}; delete or re-point them first.").ToProblem();
        await TemplateSync.EnqueueDeleteAsync(outbox, template, template.Tenant.Slug, ct);
        db.Remove(template);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
