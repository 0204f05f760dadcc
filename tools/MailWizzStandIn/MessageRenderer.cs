using System.Text.RegularExpressions;

namespace MailWizzStandIn;

/// <summary>Fills a due message as MailWizz would at send time: subject, HTML and the delivery server's additional
/// headers with the subscriber's field tags (<c>[FNAME]</c>, <c>[COMPANY]</c>…) and system tags
/// (<c>[UNSUBSCRIBE_URL]</c>…), plus MailWizz's own <c>X-Mw-Campaign-Uid</c> and <c>X-Mw-Subscriber-Uid</c>.</summary>
public static partial class MessageRenderer
{
    public const string CampaignUidHeader = "X-Mw-Campaign-Uid";
    public const string SubscriberUidHeader = "X-Mw-Subscriber-Uid";

    /// <summary>False when the subscriber is gone or no longer confirmed: MailWizz does not send to them.</summary>
    public static bool TryRender(OutboundMessage message, MwCampaign campaign, MwList list, DeliveryServer? server, DateTime now)
    {
        if (list.FindByUid(message.SubscriberUid) is not { Status: "confirmed" } subscriber)
            return false;
        var tags = new Dictionary<string, string>(subscriber.Fields)
        {
            ["UNSUBSCRIBE_URL"] = $"https://mailwizz.standin/lists/{list.Uid}/unsubscribe/{subscriber.Uid}/{campaign.Uid}",
            ["SUBSCRIBER_UID"] = subscriber.Uid, ["CAMPAIGN_UID"] = campaign.Uid, ["LIST_UID"] = list.Uid, ["LIST_NAME"] = list.Name,
            ["COMPANY_NAME"] = list.Values.GetValueOrDefault("company[name]", ""), ["CURRENT_YEAR"] = now.Year.ToString(),
        };
        foreach (var field in list.Fields.Where(f => !tags.ContainsKey(f.Tag)))
            tags[field.Tag] = "";
        string Fill(string text) => Tag().Replace(text, m => tags.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);

        var fromEmail = campaign.V("from_email");
        message.CampaignName = campaign.V("name");
        message.To = subscriber.Email;
        (message.FromName, message.FromEmail, message.ReplyTo) = (Fill(campaign.V("from_name")), Fill(fromEmail), Fill(campaign.V("reply_to")));
        (message.Subject, message.Html) = (Fill(campaign.V("subject")), Fill(campaign.Content));
        // Derived from the key, so a message rendered again after a restart keeps its Message-Id and a receiver can
        // recognise a resend.
        message.MessageId = $"{campaign.Uid}.{subscriber.Uid}@{(fromEmail.Contains('@') ? fromEmail.Split('@')[1] : "mailwizz.standin")}";
        message.Server = server?.Name;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [CampaignUidHeader] = campaign.Uid, [SubscriberUidHeader] = subscriber.Uid,
        };
        foreach (var header in server?.AdditionalHeaders ?? [])
            headers[header.Name] = Fill(header.Value);
        message.Headers = headers;
        return true;
    }

    [GeneratedRegex(@"\[([A-Z][A-Z0-9_]*)\]")]
    private static partial Regex Tag();
}
