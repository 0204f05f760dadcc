using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Templates;

public sealed record UpdateTemplateRequest(string? Name, string? Subject, string? Html, string? Language);

public static class UpdateTemplate
{
    /// <summary>PUT and PATCH both take the fields to change; omitted fields keep their value.</summary>
    public static async Task<IResult> Handle(long id, UpdateTemplateRequest request, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, OutboxWriter outbox, TimeProvider clock, CancellationToken ct)
    {
        var found = await GetTemplate.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        var template = found.Value!;
        var errors = new FieldErrors();
        TemplateRules.Check(errors, request.Name, request.Subject, request.Html, request.Language, partial: true);
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var name = request.Name?.Trim() ?? template.Name;
        if (name != template.Name && await db.Set<EmailTemplate>().AnyAsync(t => t.TenantId == template.TenantId && t.Name == name, ct))
            return CreateTemplate.Duplicate(name, template.Tenant.Slug).ToProblem();
        template.Name = name;
        template.Subject = request.Subject?.Trim() ?? template.Subject;
        template.Html = request.Html ?? template.Html;
        template.Language = TenantRules.NormalizeLanguage(request.Language) ?? template.Language;
        if (db.ChangeTracker.HasChanges())
        {
            template.UpdatedAt = clock.GetUtcNow();
            template.Sync.MarkPending();
            await TemplateSync.EnqueueAsync(outbox, template, ct);
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(TemplateResponse.From(template, template.Tenant.Slug));
    }
}
