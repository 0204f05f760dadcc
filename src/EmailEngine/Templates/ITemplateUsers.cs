namespace EmailEngine.Templates;

/// <summary>The campaigns that send a template (provided by Campaigns): a template in use cannot be deleted.</summary>
public interface ITemplateUsers
{
    Task<List<string>> CampaignsUsingAsync(long templateId, CancellationToken ct);
}
