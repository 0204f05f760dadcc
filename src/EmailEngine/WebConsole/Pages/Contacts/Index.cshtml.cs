using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Suppressions;
using EmailEngine.Tenants;
using Microsoft.AspNetCore.Mvc;

namespace EmailEngine.WebConsole.Pages.Contacts;

/// <summary>One contact: its fields, its timeline, and erasure (right to be forgotten).</summary>
public sealed class IndexModel(AppDbContext db, TenantScope tenants, SuppressionService suppressions, OutboxWriter outbox)
    : ConsolePage
{
    public ContactResponse Contact { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (ApiOutcome.Value<ContactResponse>(await ContactEndpoints.GetContact(id, User, tenants, db, ct)) is not { } contact)
            return NotFound();
        Contact = contact;
        return Page();
    }

    public async Task<IActionResult> OnPostEraseAsync(long id, bool confirm, CancellationToken ct)
    {
        if (ApiOutcome.Value<ContactResponse>(await ContactEndpoints.GetContact(id, User, tenants, db, ct)) is not { } contact)
            return NotFound();
        if (!confirm)
            return Unconfirmed();
        return AfterAction(await ContactEndpoints.EraseContact(id, User, tenants, db, suppressions, outbox, ct), Text["done.erased"],
            $"/ui/tenants/{Uri.EscapeDataString(contact.Tenant)}#contacts");
    }
}
