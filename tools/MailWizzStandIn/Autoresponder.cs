namespace MailWizzStandIn;

/// <summary>
/// A confirmed subscription to a list with an active AFTER-SUBSCRIBE autoresponder schedules that campaign for the
/// subscriber after its delay, on the shared clock; the <see cref="Mailer"/> sends it when due.
/// </summary>
public sealed class Autoresponder(TimeProvider clock)
{
    /// <summary>Caller holds the state lock.</summary>
    public void OnSubscribed(StandInState state, MwList list, MwSubscriber subscriber)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var campaign in state.Campaigns.Where(c => c.ListUid == list.Uid && c.V("type") == "autoresponder"
            && c.V("options[autoresponder_event]") == "AFTER-SUBSCRIBE" && c.Status != "paused"))
        {
            var key = OutboundMessage.KeyOf(campaign.Uid, subscriber.Uid);
            if (!state.Outbox.Contains(key))
                state.Outbox.Put(new OutboundMessage
                {
                    Key = key, CampaignUid = campaign.Uid, ListUid = list.Uid, SubscriberUid = subscriber.Uid,
                    DueAt = now + Delay(campaign.V("options[autoresponder_time_unit]"), campaign.V("options[autoresponder_time_value]")),
                });
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
}
