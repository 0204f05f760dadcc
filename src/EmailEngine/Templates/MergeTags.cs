using System.Text.RegularExpressions;

namespace EmailEngine.Templates;

/// <summary>
/// MailWizz merge tags: <c>[UPPER_CASE]</c>. List-field tags (EMAIL, FNAME, LNAME, and custom ones such as
/// COMPANY) come from the subscriber; system tags (unsubscribe URL, campaign and list data…) from MailWizz itself.
/// </summary>
public static partial class MergeTags
{
    [GeneratedRegex(@"\[([A-Z][A-Z0-9_]{0,63})\]", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    public static readonly IReadOnlySet<string> DefaultListFields = new HashSet<string> { "EMAIL", "FNAME", "LNAME" };

    /// <summary>Tags MailWizz fills itself; never created as list fields.</summary>
    public static readonly IReadOnlySet<string> SystemTags = new HashSet<string>
    {
        "UNSUBSCRIBE_URL", "UNSUBSCRIBE_LINK", "DIRECT_UNSUBSCRIBE_URL", "DIRECT_UNSUBSCRIBE_LINK", "UNSUBSCRIBE_FROM_ALL_URL",
        "UPDATE_PROFILE_URL", "WEB_VERSION_URL", "CAMPAIGN_URL", "FORWARD_FRIEND_URL", "SUBSCRIBER_UID", "SUBSCRIBER_ID",
        "SUBSCRIBER_IP", "SUBSCRIBER_DATE_ADDED", "SUBSCRIBER_OPTIN_IP", "CAMPAIGN_UID", "CAMPAIGN_NAME", "CAMPAIGN_SUBJECT",
        "CAMPAIGN_FROM_NAME", "CAMPAIGN_FROM_EMAIL", "CAMPAIGN_REPLY_TO", "CAMPAIGN_TO_NAME", "CAMPAIGN_SEND_AT",
        "LIST_UID", "LIST_NAME", "LIST_DESCRIPTION", "LIST_FROM_NAME", "LIST_FROM_EMAIL", "LIST_SUBJECT",
        "COMPANY_NAME", "COMPANY_FULL_ADDRESS", "COMPANY_ADDRESS_1", "COMPANY_ADDRESS_2", "COMPANY_CITY", "COMPANY_ZIP",
        "COMPANY_PHONE", "COMPANY_COUNTRY", "COMPANY_ZONE", "CURRENT_YEAR", "CURRENT_MONTH", "CURRENT_DAY", "CURRENT_DATE",
        "CURRENT_DATETIME", "DATE", "DATETIME", "RANDOM_CONTENT", "SIGN_LT", "SIGN_GT", "XML_FEED_BEGIN", "XML_FEED_END",
        "JSON_FEED_BEGIN", "JSON_FEED_END", "REMOTE_CONTENT", "CAMPAIGN_REPORT_ABUSE_URL", "SURVEY", "EMAIL_NAME", "EMAIL_DOMAIN",
    };

    public static readonly IReadOnlySet<string> UnsubscribeTags = new HashSet<string>
    {
        "UNSUBSCRIBE_URL", "UNSUBSCRIBE_LINK", "DIRECT_UNSUBSCRIBE_URL", "DIRECT_UNSUBSCRIBE_LINK", "UNSUBSCRIBE_FROM_ALL_URL",
    };

    /// <summary>Distinct tags in order of first appearance.</summary>
    public static IReadOnlyList<string> Find(params string[] texts) =>
        texts.SelectMany(text => TagPattern().Matches(text).Select(m => m.Groups[1].Value)).Distinct().ToList();

    /// <summary>Tags that must exist as fields on the tenant's MailWizz list (not default, not system).</summary>
    public static IReadOnlyList<string> CustomFields(IEnumerable<string> tags) =>
        tags.Where(t => !DefaultListFields.Contains(t) && !SystemTags.Contains(t)).ToList();

    /// <summary>Replaces known tags with values; unknown tags stay visible so a preview shows what is missing.</summary>
    public static string Render(string text, IReadOnlyDictionary<string, string> values) =>
        TagPattern().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value : m.Value);
}
