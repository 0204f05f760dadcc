using EmailEngine.Campaigns;
using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts;

public sealed class ContactCampaignReferences(AppDbContext db) : ICampaignReferences
{
    /// <summary>
    /// On PostgreSQL contacts carry no foreign-key trigger nor index on this column (bulk import speed): the reference
    /// is cleared here, through the tenant's contacts.
    /// </summary>
    public Task ClearAsync(long tenantId, long campaignId, CancellationToken ct) =>
        db.Set<Contact>().Where(c => c.TenantId == tenantId && c.WelcomeCampaignId == campaignId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.WelcomeCampaignId, (long?)null), ct);
}
