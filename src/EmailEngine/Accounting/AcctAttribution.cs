using EmailEngine.Campaigns;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Accounting;

/// <summary>Who a record is about: the sending IP's vmta, the tenant and campaign (0 = unknown), and the tenants whose
/// suppression lists a bounce or complaint of this recipient belongs to.</summary>
public sealed record Attribution(string Vmta, long TenantId, long CampaignId, IReadOnlyList<long> RecipientTenants);

/// <summary>
/// Maps accounting records to IP, tenant and campaign, in this order of evidence:
/// <list type="bullet">
/// <item>IP: the <c>vmta</c> field (PowerMTA writes the virtual MTA, e.g. <c>vmta-3</c>), else <c>dlvSourceIp</c>
///   looked up among the registered IPs;</item>
/// <item>campaign: header <c>X-EE-Campaign</c> (the engine's campaign id), else MailWizz's <c>X-Mw-Campaign-Uid</c>
///   header or the <c>jobId</c> field matched against the campaigns' MailWizz uids;</item>
/// <item>tenant: header <c>X-EE-Tenant</c> (slug), else the campaign's tenant, else the recipient if exactly one
///   tenant has that contact.</item>
/// </list>
/// PowerMTA writes these headers when the acct-file asks for them, one directive per record type (the rendered
/// config does): <c>record-fields d *,header_X-EE-Tenant,header_X-EE-Contact,header_X-EE-Campaign,header_X-Mw-Campaign-Uid</c>
/// (<c>X-EE-Contact</c> only traces a record to its subscriber).
/// Lookups of IPs, tenants and campaigns are loaded once per ingest; contacts are looked up once per batch.
/// </summary>
public sealed class AcctAttribution
{
    public const string TenantHeader = "X-EE-Tenant";
    public const string CampaignHeader = "X-EE-Campaign";
    public const string MailWizzCampaignHeader = "X-Mw-Campaign-Uid";

    private readonly Dictionary<string, string> _vmtaByAddress;
    private readonly Dictionary<string, long> _tenantBySlug;
    private readonly Dictionary<long, long> _tenantByCampaign;
    private readonly Dictionary<string, long> _campaignByRemoteUid;

    private AcctAttribution(Dictionary<string, string> vmtaByAddress, Dictionary<string, long> tenantBySlug,
        Dictionary<long, long> tenantByCampaign, Dictionary<string, long> campaignByRemoteUid) =>
        (_vmtaByAddress, _tenantBySlug, _tenantByCampaign, _campaignByRemoteUid) = (vmtaByAddress, tenantBySlug, tenantByCampaign, campaignByRemoteUid);

    public static async Task<AcctAttribution> LoadAsync(AppDbContext db, CancellationToken ct)
    {
        var ips = await db.Set<SendingIp>().AsNoTracking().ToListAsync(ct);
        var tenants = await db.Set<Tenant>().AsNoTracking().Select(t => new { t.Id, t.Slug }).ToListAsync(ct);
        var campaigns = await db.Set<Campaign>().AsNoTracking().Select(c => new { c.Id, c.TenantId, c.Sync.RemoteUid }).ToListAsync(ct);
        return new AcctAttribution(
            ips.ToDictionary(i => i.Address, i => i.VmtaName, StringComparer.OrdinalIgnoreCase),
            tenants.ToDictionary(t => t.Slug, t => t.Id, StringComparer.OrdinalIgnoreCase),
            campaigns.ToDictionary(c => c.Id, c => c.TenantId),
            campaigns.Where(c => c.RemoteUid != null).ToDictionary(c => c.RemoteUid!, c => c.Id, StringComparer.Ordinal));
    }

    public async Task<Attribution[]> AttributeAsync(AppDbContext db, IReadOnlyList<AcctRecord> records, CancellationToken ct)
    {
        var result = new Attribution[records.Count];
        var partial = new (string Vmta, long Tenant, long Campaign)[records.Count];
        var unknownRecipients = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            var campaign = CampaignOf(record);
            var tenant = record.Headers.TryGetValue(TenantHeader, out var slug) && _tenantBySlug.TryGetValue(slug.Trim(), out var byHeader) ? byHeader
                : _tenantByCampaign.GetValueOrDefault(campaign);
            partial[i] = (VmtaOf(record), tenant, campaign);
            if (tenant == 0 && record.Rcpt is { } rcpt)
                unknownRecipients.Add(rcpt.Trim().ToLowerInvariant());
        }
        var tenantsByRecipient = await TenantsOfRecipientsAsync(db, unknownRecipients, ct);
        for (var i = 0; i < records.Count; i++)
        {
            var (vmta, tenant, campaign) = partial[i];
            IReadOnlyList<long> owners = tenant != 0 ? [tenant]
                : records[i].Rcpt is { } rcpt && tenantsByRecipient.TryGetValue(rcpt.Trim().ToLowerInvariant(), out var found) ? found : [];
            result[i] = new Attribution(vmta, tenant != 0 ? tenant : owners.Count == 1 ? owners[0] : 0, campaign, owners);
        }
        return result;
    }

    private string VmtaOf(AcctRecord record) =>
        record.Vmta ?? (record.SourceIp is { } ip && _vmtaByAddress.TryGetValue(ip, out var vmta) ? vmta : "");

    private long CampaignOf(AcctRecord record)
    {
        if (record.Headers.TryGetValue(CampaignHeader, out var id) && long.TryParse(id, out var campaignId) && _tenantByCampaign.ContainsKey(campaignId))
            return campaignId;
        if (record.Headers.TryGetValue(MailWizzCampaignHeader, out var uid) && _campaignByRemoteUid.TryGetValue(uid.Trim(), out var byUid))
            return byUid;
        return record.JobId is { } job && _campaignByRemoteUid.TryGetValue(job, out var byJob) ? byJob : 0;
    }

    private static async Task<Dictionary<string, List<long>>> TenantsOfRecipientsAsync(AppDbContext db, HashSet<string> recipients, CancellationToken ct)
    {
        var owners = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var chunk in recipients.Chunk(1000))
        {
            var hashes = chunk.Select(Contact.KeyHashOf).ToList();
            var rows = await db.Set<Contact>().AsNoTracking().Where(c => hashes.Contains(c.KeyHash))
                .Select(c => new { c.EmailKey, c.TenantId }).ToListAsync(ct);
            foreach (var row in rows)
            {
                if (!owners.TryGetValue(row.EmailKey, out var list))
                    owners[row.EmailKey] = list = [];
                list.Add(row.TenantId);
            }
        }
        return owners;
    }
}
