using EmailEngine.Hosting;

namespace EmailEngine.Tenants;

/// <summary>From/reply-to and the postal company details anti-spam law and MailWizz require on every list.</summary>
public sealed class SenderSettings
{
    public string? FromName { get; set; }
    public string? FromEmail { get; set; }
    public string? ReplyTo { get; set; }
    public string? CompanyName { get; set; }
    public string? CompanyAddress { get; set; }
    public string? CompanyCity { get; set; }
    public string? CompanyZip { get; set; }
    public string? CompanyCountry { get; set; }

    /// <summary>
    /// The tenant's values over the operator defaults (<c>SENDER_FROM_NAME</c>, <c>SENDER_FROM_EMAIL</c>,
    /// <c>SENDER_REPLY_TO</c>, <c>COMPANY_NAME</c>, <c>COMPANY_ADDRESS</c>, <c>COMPANY_CITY</c>, <c>COMPANY_ZIP</c>,
    /// <c>COMPANY_COUNTRY</c>). Nothing is invented: what neither has stays null and is reported as missing.
    /// </summary>
    public SenderSettings Over(EngineSettings defaults) => new()
    {
        FromName = FromName ?? defaults.Get("SENDER_FROM_NAME"),
        FromEmail = FromEmail ?? defaults.Get("SENDER_FROM_EMAIL"),
        ReplyTo = ReplyTo ?? defaults.Get("SENDER_REPLY_TO") ?? FromEmail ?? defaults.Get("SENDER_FROM_EMAIL"),
        CompanyName = CompanyName ?? defaults.Get("COMPANY_NAME"),
        CompanyAddress = CompanyAddress ?? defaults.Get("COMPANY_ADDRESS"),
        CompanyCity = CompanyCity ?? defaults.Get("COMPANY_CITY"),
        CompanyZip = CompanyZip ?? defaults.Get("COMPANY_ZIP"),
        CompanyCountry = CompanyCountry ?? defaults.Get("COMPANY_COUNTRY"),
    };

    /// <summary>Settings MailWizz cannot do without (list defaults and campaign headers), by their API field names.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(FromName)) missing.Add("from_name");
        if (string.IsNullOrWhiteSpace(FromEmail)) missing.Add("from_email");
        if (string.IsNullOrWhiteSpace(ReplyTo)) missing.Add("reply_to");
        if (string.IsNullOrWhiteSpace(CompanyName)) missing.Add("company_name");
        if (string.IsNullOrWhiteSpace(CompanyAddress)) missing.Add("company_address");
        if (string.IsNullOrWhiteSpace(CompanyCity)) missing.Add("company_city");
        if (string.IsNullOrWhiteSpace(CompanyCountry)) missing.Add("company_country");
        return missing;
    }
}
