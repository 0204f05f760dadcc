namespace EmailEngine.MailWizz;

/// <summary>Fields of a MailWizz list (general, defaults and company groups of the create/update form).</summary>
public sealed record ListDefinition(
    string Name, string Description, string FromName, string FromEmail, string ReplyTo, string? Subject,
    string CompanyName, string CompanyAddress, string CompanyCity, string? CompanyZip, string CompanyCountry);

public sealed record ListSummary(string ListUid, string Name);

public sealed record ListField(string Tag, string Label, bool Required);

public sealed record SubscriberRef(string SubscriberUid, string Status);

/// <summary>One row of a bulk create: field tag → value (EMAIL required).</summary>
public sealed record BulkSubscriberResult(string? Email, string? SubscriberUid, IReadOnlyDictionary<string, string>? Errors);

public sealed record CampaignDefinition(
    string Name, string Type, string FromName, string FromEmail, string Subject, string ReplyTo, string ListUid, string TemplateUid,
    DateTimeOffset SendAt, string ToName = "[EMAIL]", string? AutoresponderEvent = null, string? DelayUnit = null, int? DelayValue = null,
    string? Status = null, string? DeliveryServers = null);

public sealed record CampaignSummary(string CampaignUid, string Name, string Type, string Status);

public sealed record TemplateSummary(string TemplateUid, string Name);
