using EmailEngine.Data;
using EmailEngine.Templates;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Campaigns;

public sealed class CampaignTemplateUsers(AppDbContext db) : ITemplateUsers
{
    public Task<List<string>> CampaignsUsingAsync(long templateId, CancellationToken ct) =>
        db.Set<Campaign>().Where(c => c.TemplateId == templateId).Select(c => c.Name).ToListAsync(ct);
}
