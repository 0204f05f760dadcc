using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Templates;

public sealed record CreateTemplateRequest(string? Name, string? Subject, string? Html, string? Language, string? Tenant);

public static class CreateTemplate
{
    public static async Task<IResult> Handle(CreateTemplateRequest request, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, OutboxWriter outbox, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        TemplateRules.Check(errors, request.Name, request.Subject, request.Html, request.Language, partial: false);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        var tenant = await tenants.ForWriteAsync(user, request.Tenant, ct);
        if (!tenant.IsSuccess)
            return tenant.Error!.ToProblem();

        var result = await CreateAsync(db, outbox, clock, tenant.Value!, request.Name!.Trim(), request.Subject!.Trim(), request.Html!,
            TenantRules.NormalizeLanguage(request.Language)!, ct);
        return result.ToHttp(t => TypedResults.Created($"/api/v2/templates/{t.Id}", TemplateResponse.From(t, tenant.Value!.Slug)));
    }

    /// <summary>Stores the template and queues its push in one transaction (also used by the contact workflow).</summary>
    public static async Task<Result<EmailTemplate>> CreateAsync(AppDbContext db, OutboxWriter outbox, TimeProvider clock,
        Tenant tenant, string name, string subject, string html, string language, CancellationToken ct)
    {
        if (await db.Set<EmailTemplate>().AnyAsync(t => t.TenantId == tenant.Id && t.Name == name, ct))
            return Duplicate(name, tenant.Slug);
        var now = clock.GetUtcNow();
        var template = new EmailTemplate
        {
            TenantId = tenant.Id, Name = name, Subject = subject, Html = html, Language = language, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(template);
        try
        {
            await outbox.SaveWithPushAsync(token => TemplateSync.EnqueueAsync(outbox, template, token), ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<EmailTemplate>().AnyAsync(t => t.TenantId == tenant.Id && t.Name == name, ct))
                return Duplicate(name, tenant.Slug); // a concurrent request took the name
            throw;
        }
        return template;
    }

    internal static Failure Duplicate(string name, string tenant) =>
        new Failure.Conflict($"Tenant '{tenant}' already has a template named '{name}'.",
            new Dictionary<string, string[]> { ["name"] = [$"'{name}' is already used by another template of this tenant"] });
}
