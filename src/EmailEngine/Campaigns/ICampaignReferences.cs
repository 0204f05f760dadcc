namespace EmailEngine.Campaigns;

/// <summary>
/// What refers to a campaign from another feature (provided by Contacts: the contacts it welcomed): cleared when the
/// campaign is deleted, in the deletion's transaction.
/// </summary>
public interface ICampaignReferences
{
    Task ClearAsync(long tenantId, long campaignId, CancellationToken ct);
}
