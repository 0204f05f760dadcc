namespace MailWizzStandIn;

/// <summary>Where a message is: <c>queued</c> (waiting for its time, its campaign, the server's quota or a retry),
/// <c>sending</c> (handed to the SMTP client, no answer yet), <c>sent</c> (the server said 250), <c>failed</c> (5xx),
/// <c>skipped</c> (its subscriber, list or campaign went away before it was due).</summary>
public static class MessageState
{
    public const string Queued = "queued";
    public const string Sending = "sending";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    public static bool IsFinal(string state) => state is Sent or Failed or Skipped;
}

/// <summary>
/// One campaign's mail to one subscriber, from scheduling to the delivery server's answer. The key
/// (campaign uid + subscriber uid) is unique: MailWizz sends a campaign to a subscriber once, so scheduling twice
/// (a re-subscription, a campaign unpaused) never makes a second message.
/// </summary>
public sealed class OutboundMessage
{
    public required string Key { get; init; }
    public required string CampaignUid { get; init; }
    public required string ListUid { get; init; }
    public required string SubscriberUid { get; init; }
    public required DateTime DueAt { get; init; }
    public string State { get; set; } = MessageState.Queued;
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }
    /// <summary>The stand-in was killed while this message was with the server, so it was queued again (same Message-Id).</summary>
    public bool InDoubt { get; set; }
    public string? LastError { get; set; }

    // Rendered when first due, then kept, so that every attempt sends the same bytes and Message-Id.
    public string? MessageId { get; set; }
    public string CampaignName { get; set; } = "";
    public string To { get; set; } = "";
    public string FromName { get; set; } = "";
    public string FromEmail { get; set; } = "";
    public string ReplyTo { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Html { get; set; } = "";
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string? Server { get; set; }
    public string? VirtualMta => Headers.GetValueOrDefault(DeliveryServer.VirtualMtaHeader);

    public DateTime? SentAt { get; set; }
    /// <summary>False when no delivery server is configured: the message is only recorded.</summary>
    public bool Relayed { get; set; }

    public static string KeyOf(string campaignUid, string subscriberUid) => $"{campaignUid}:{subscriberUid}";

    /// <summary>A copy without the rendered HTML (what a finished message keeps across a restart).</summary>
    public OutboundMessage WithoutBody()
    {
        var copy = (OutboundMessage)MemberwiseClone();
        copy.Html = "";
        return copy;
    }
}

/// <summary>The outbox plus the delivery servers' usage per clock hour and day (what MailWizz counts quotas
/// against: one usage row per email sent). Caller holds the state lock.</summary>
public sealed class Outbox
{
    private readonly Dictionary<string, OutboundMessage> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _usage = new(StringComparer.Ordinal);

    public IReadOnlyCollection<OutboundMessage> Messages => _byKey.Values;

    public bool Contains(string key) => _byKey.ContainsKey(key);

    public OutboundMessage? Find(string key) => _byKey.GetValueOrDefault(key);

    /// <summary>Adds or replaces a message (replaying the journal replaces).</summary>
    public void Put(OutboundMessage message)
    {
        if (_byKey.TryGetValue(message.Key, out var previous) && previous.State == MessageState.Sent)
            Count(previous, -1);
        _byKey[message.Key] = message;
        if (message.State == MessageState.Sent)
            Count(message, +1);
    }

    public void MarkSent(OutboundMessage message, DateTime at)
    {
        (message.State, message.SentAt, message.LastError) = (MessageState.Sent, at, null);
        Count(message, +1);
    }

    public int UsedInHour(string server, DateTime at) => _usage.GetValueOrDefault(HourKey(server, at));

    public int UsedInDay(string server, DateTime at) => _usage.GetValueOrDefault(DayKey(server, at));

    public void Clear()
    {
        _byKey.Clear();
        _usage.Clear();
    }

    private void Count(OutboundMessage message, int delta)
    {
        if (message is not { Server: { } server, SentAt: { } at })
            return;
        _usage[HourKey(server, at)] = UsedInHour(server, at) + delta;
        _usage[DayKey(server, at)] = UsedInDay(server, at) + delta;
    }

    private static string HourKey(string server, DateTime at) => $"{server}|{at:yyyy-MM-ddTHH}";

    private static string DayKey(string server, DateTime at) => $"{server}|{at:yyyy-MM-dd}";
}
