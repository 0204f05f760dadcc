using System.Net.Mail;
using System.Text.RegularExpressions;

namespace MailWizzStandIn;

/// <summary>
/// What makes the stand-in behave like MailWizz: a confirmed subscription to a list with an active
/// AFTER-SUBSCRIBE autoresponder schedules that campaign for the subscriber after its delay; a background loop
/// renders due messages (list-field tags replaced) and records them, relaying over SMTP when configured.
/// </summary>
public sealed partial class Autoresponder(StandInOptions options, ILogger<Autoresponder> logger) : BackgroundService
{
    private StandInState? _state;

    /// <summary>Caller holds the state lock.</summary>
    public void OnSubscribed(StandInState state, MwList list, MwSubscriber subscriber)
    {
        _state = state;
        foreach (var campaign in state.Campaigns.Where(c => c.ListUid == list.Uid && c.V("type") == "autoresponder"
            && c.V("options[autoresponder_event]") == "AFTER-SUBSCRIBE" && c.Status != "paused"))
        {
            var due = DateTime.UtcNow + Delay(campaign.V("options[autoresponder_time_unit]"), campaign.V("options[autoresponder_time_value]"));
            state.Scheduled.Add(new ScheduledMessage(campaign.Uid, subscriber.Uid, due));
        }
    }

    private static TimeSpan Delay(string unit, string value)
    {
        var amount = int.TryParse(value, out var v) ? v : 0;
        return unit switch
        {
            "hour" => TimeSpan.FromHours(amount),
            "day" => TimeSpan.FromDays(amount),
            "week" => TimeSpan.FromDays(7 * amount),
            "month" => TimeSpan.FromDays(30 * amount),
            "year" => TimeSpan.FromDays(365 * amount),
            _ => TimeSpan.FromMinutes(amount),
        };
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var message in TakeDue())
                Deliver(message);
        }
    }

    private List<SentMessage> TakeDue()
    {
        if (_state is not { } state)
            return [];
        lock (state.Gate)
        {
            var due = state.Scheduled.Where(m => m.DueAt <= DateTime.UtcNow).ToList();
            state.Scheduled.RemoveAll(due.Contains);
            var rendered = due.Select(m => Render(state, m)).OfType<SentMessage>().ToList();
            state.Sent.AddRange(rendered);
            return rendered;
        }
    }

    private static SentMessage? Render(StandInState state, ScheduledMessage message)
    {
        var campaign = state.Campaigns.FirstOrDefault(c => c.Uid == message.CampaignUid);
        var list = campaign is null ? null : ListEndpoints.Find(state, campaign.ListUid);
        var subscriber = list?.Subscribers.FirstOrDefault(x => x.Uid == message.SubscriberUid);
        if (campaign is null || list is null || subscriber is null || subscriber.Status != "confirmed" || campaign.Status == "paused")
            return null;
        var tags = new Dictionary<string, string>(subscriber.Fields)
        {
            ["UNSUBSCRIBE_URL"] = $"https://mailwizz.standin/lists/{list.Uid}/unsubscribe/{subscriber.Uid}/{campaign.Uid}",
            ["SUBSCRIBER_UID"] = subscriber.Uid, ["CAMPAIGN_UID"] = campaign.Uid, ["LIST_NAME"] = list.Name,
            ["COMPANY_NAME"] = list.Values.GetValueOrDefault("company[name]", ""), ["CURRENT_YEAR"] = DateTime.UtcNow.Year.ToString(),
        };
        foreach (var field in list.Fields.Where(f => !tags.ContainsKey(f.Tag)))
            tags[field.Tag] = "";
        string Fill(string text) => Tag().Replace(text, m => tags.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
        return new SentMessage(campaign.Uid, campaign.V("name"), list.Uid, subscriber.Uid, subscriber.Email, Fill(campaign.V("from_name")),
            campaign.V("from_email"), Fill(campaign.V("subject")), Fill(campaign.Content), message.DueAt, DateTime.UtcNow, false);
    }

    [GeneratedRegex(@"\[([A-Z][A-Z0-9_]*)\]")]
    private static partial Regex Tag();

    private void Deliver(SentMessage message)
    {
        if (options.SmtpHost is null)
            return;
        try
        {
            using var smtp = new SmtpClient(options.SmtpHost, options.SmtpPort);
            using var mail = new MailMessage(new MailAddress(message.FromEmail, message.FromName), new MailAddress(message.To))
            {
                Subject = message.Subject, Body = message.Html, IsBodyHtml = true,
            };
            smtp.Send(mail);
        }
        catch (SmtpException e)
        {
            logger.LogWarning("SMTP relay to {Host}:{Port} failed for {To}: {Error}", options.SmtpHost, options.SmtpPort, message.To, e.Message);
        }
    }
}
