using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Suppressions;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts;

public static class ContactEndpoints
{
    public static IEndpointRouteBuilder MapContactEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/contacts").WithTags("Contacts");
        // 202: queued for MailWizz; 200: a suppressed address, stored and never sent there. 404: a tenant key naming another tenant.
        group.MapPost("/", RegisterContact.Handle).WithName("RegisterContact")
            .Produces<ContactResponse>(202).Produces<ContactResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/", ListContacts).WithName("ListContacts")
            .Produces<Page<ContactResponse>>().ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/{id:long}", GetContact).WithName("GetContact")
            .Produces<ContactResponse>().ProducesProblem(404);
        group.MapDelete("/{id:long}", EraseContact).WithName("EraseContact")
            .Produces(204).ProducesProblem(404);
        return app;
    }

    /// <summary>Cursor pagination: pass the last id seen as <c>after</c>; <c>next_after</c> is null on the last page.</summary>
    public static async Task<IResult> ListContacts(string? tenant, string? status, string? email, long? after, int? limit, ClaimsPrincipal user,
        TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, tenant, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();
        var query = db.Set<Contact>().AsNoTracking().Include(c => c.Tenant).Where(c => after == null || c.Id > after);
        if (status is not null)
        {
            if (!Enum.TryParse<ContactStatus>(status, true, out var wanted))
                return Failure.Field("status", "must be active or suppressed").ToProblem();
            query = query.Where(c => c.Status == wanted);
        }
        if (!string.IsNullOrWhiteSpace(email))
        {
            var keyHash = Contact.KeyHashOf(email.Trim().ToLowerInvariant());
            query = query.Where(c => c.KeyHash == keyHash);
        }
        var size = Math.Clamp(limit ?? 100, 1, 1000);
        // Contacts are keyed by tenant, then id: each tenant's page is one range of the primary key; across tenants (the
        // operator, a handful of businesses) the pages are merged here rather than sorting every tenant's contacts.
        var tenantIds = scope.Value is { } one ? [one] : await db.Set<Tenant>().Select(t => t.Id).ToListAsync(ct);
        var items = new List<Contact>();
        foreach (var tenantId in tenantIds)
            items.AddRange(await query.Where(c => c.TenantId == tenantId).OrderBy(c => c.Id).Take(size).ToListAsync(ct));
        items = items.OrderBy(c => c.Id).Take(size).ToList();
        return TypedResults.Ok(new Page<ContactResponse>(items.Select(c => ContactResponse.From(c, c.Tenant.Slug)),
            items.Count == size ? items[^1].Id : null));
    }

    public static async Task<IResult> GetContact(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var contact = await FindAsync(id, user, tenants, db, ct);
        if (contact is null)
            return new Failure.NotFound($"Contact {id} does not exist.").ToProblem();
        return TypedResults.Ok(ContactResponse.From(contact, contact.Tenant.Slug, await TimelineAsync(db, id, ct)));
    }

    public static Task<List<ContactEvent>> TimelineAsync(AppDbContext db, long contactId, CancellationToken ct) =>
        db.Set<ContactEvent>().AsNoTracking().Where(e => e.ContactId == contactId).OrderBy(e => e.Id).ToListAsync(ct);

    /// <summary>
    /// GDPR erasure: the contact and its timeline are deleted here, its subscriber deleted in MailWizz, and a
    /// hash-only suppression stops the address from being imported again by accident.
    /// </summary>
    public static async Task<IResult> EraseContact(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db,
        SuppressionService suppressions, OutboxWriter outbox, CancellationToken ct)
    {
        var contact = await FindAsync(id, user, tenants, db, ct);
        if (contact is null)
            return new Failure.NotFound($"Contact {id} does not exist.").ToProblem();
        var listLanguage = contact.WelcomeCampaignId is { } campaignId
            ? await db.Set<Campaigns.Campaign>().Where(c => c.Id == campaignId).Select(c => c.Template.Language).SingleOrDefaultAsync(ct)
            : null;
        await ContactSync.EnqueueEraseAsync(outbox, contact, listLanguage, ct);
        db.RemoveRange(await db.Set<ContactEvent>().Where(e => e.ContactId == id).ToListAsync(ct)); // no foreign key cascades them on PostgreSQL
        db.Remove(contact);
        var added = await suppressions.AddAsync(contact.TenantId, contact.Email, SuppressionReason.Erased, "contact-erase", null, ct);
        if (!added.IsSuccess)
            return added.Error!.ToProblem();
        if (!added.Value.Created)
            await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Contact?> FindAsync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, null, ct);
        return await db.Set<Contact>().Include(c => c.Tenant).SingleOrDefaultAsync(c => c.Id == id && (scope.Value == null || c.TenantId == scope.Value), ct);
    }
}
