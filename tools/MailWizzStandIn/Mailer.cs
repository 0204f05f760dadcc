using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace MailWizzStandIn;

/// <summary>
/// MailWizz's sending side: starts regular campaigns whose <c>send_at</c> is due (every confirmed subscriber of the
/// list gets one message), then relays due messages, autoresponders and campaigns alike, one per subscriber, over
/// SMTP with MailKit to the delivery server that carries them, within its hourly and daily quotas.
/// A message is sent only once the server answered 250. A connection failure or a 4xx keeps it queued and retried
/// with doubling delays (a failed connection pauses the whole server, as a down delivery server does); a 5xx at
/// MAIL, RCPT or DATA fails it for good. Each step is journaled (<see cref="StateStore"/>) before the next.
/// Without a delivery server, due messages are only recorded. One loop does all sending, so no message is with two
/// SMTP sessions at once; it sleeps on the shared clock until the next message is due or the API changed something.
/// </summary>
public sealed class Mailer(StandInState state, StandInOptions options, StateStore store, ServerQuotaTable quotaTable, TimeProvider clock,
    ILogger<Mailer> logger)
    : BackgroundService
{
    private static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);
    private const int BatchSize = 500;

    private readonly Dictionary<string, ServerHealth> _health = [];
    private readonly Random _random = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Something changed (a subscriber, a campaign): look again now rather than at the next due time.</summary>
    public void Wake() => _wake.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Replaced before looking, so a change made while this pass runs cuts the following sleep short.
            _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var next = await SendDueAsync(stoppingToken);
            var sleep = next - Now();
            if (sleep > TimeSpan.Zero)
                await Task.WhenAny(_wake.Task, Task.Delay(sleep < LongestSleep ? sleep : LongestSleep, clock, stoppingToken));
        }
    }

    private DateTime Now() => clock.GetUtcNow().UtcDateTime;

    /// <summary>One pass; returns when the next pass is needed.</summary>
    private async Task<DateTime> SendDueAsync(CancellationToken stoppingToken)
    {
        var now = Now();
        var next = DateTime.MaxValue;
        List<IGrouping<string?, OutboundMessage>> work;
        lock (state.Gate)
        {
            if (StartDueCampaigns(now) | FinishSentCampaigns())
                store.Save(state);
            var ready = new List<OutboundMessage>();
            foreach (var message in state.Outbox.Messages.Where(m => m.State == MessageState.Queued).OrderBy(m => m.DueAt))
            {
                var readyAt = message.DueAt > message.NextAttemptAt ? message.DueAt : message.NextAttemptAt;
                if (readyAt > now)
                    next = Min(next, readyAt);
                else if (ready.Count == BatchSize)
                    next = now;
                else if (Prepare(message, now))
                    ready.Add(message);
            }
            work = ready.GroupBy(m => m.Server).ToList();
        }
        foreach (var batch in work)
            next = Min(next, await RelayAsync(batch.Key is { } name ? options.DeliveryServers.First(s => s.Name == name) : null, batch, stoppingToken));
        return next;
    }

    /// <summary>Renders a due message on first use; false while it must wait (paused campaign) or when it was skipped.</summary>
    private bool Prepare(OutboundMessage message, DateTime now)
    {
        var campaign = state.Campaigns.FirstOrDefault(c => c.Uid == message.CampaignUid);
        if (campaign?.Status == "paused")
            return false;
        var list = campaign is null ? null : ListEndpoints.Find(state, campaign.ListUid);
        if (message.MessageId is not null && (message.Server is null ? options.DeliveryServers.Count == 0 : MayStillUse(message.Server, campaign)))
            return true;
        var server = list is null ? null : Pick(options.ServersFor(campaign!).Where(s => s.Carries(list, campaign!)), now);
        if (campaign is null || list is null || (server is null && options.DeliveryServers.Count > 0) || !MessageRenderer.TryRender(message, campaign, list, server, now))
        {
            message.State = MessageState.Skipped;
            message.LastError = server is null && list is not null ? "no delivery server carries this list" : "subscriber, list or campaign gone";
            Record(message);
            return false;
        }
        return true;
    }

    /// <summary>
    /// A rendered message keeps its server while the campaign may still use it; one the campaign no longer allows (its
    /// servers changed, an IP went to another tenant) is rendered again for an allowed one, as MailWizz picks per send.
    /// </summary>
    private bool MayStillUse(string server, MwCampaign? campaign) =>
        (campaign is null ? options.DeliveryServers : options.ServersFor(campaign)).Any(s => s.Name == server);

    /// <summary>
    /// MailWizz's <c>pickServer</c>: among the servers that may carry the mail, the most specific ones (a matching
    /// <c>use_for</c>, then the file's others, then the catch-all), those within their quotas first, one drawn at random
    /// weighted by <c>probability</c>. Null when none may carry it.
    /// </summary>
    private DeliveryServer? Pick(IEnumerable<DeliveryServer> carriers, DateTime now)
    {
        var tier = carriers.GroupBy(s => s.UseFor is not null ? 0 : s.CatchAll ? 2 : 1).OrderBy(g => g.Key).FirstOrDefault()?.ToList();
        if (tier is null)
            return null;
        var open = tier.Where(s => QuotaResetAt(s, now) is null).ToList();
        var from = open.Count > 0 ? open : tier;
        var ticket = _random.Next(from.Sum(s => s.Probability));
        return from.First(s => (ticket -= s.Probability) < 0);
    }

    private async Task<DateTime> RelayAsync(DeliveryServer? server, IEnumerable<OutboundMessage> messages, CancellationToken stoppingToken)
    {
        if (server is null)
        {
            lock (state.Gate)
                foreach (var message in messages)
                {
                    state.Outbox.MarkSent(message, Now());
                    Record(message);
                }
            return DateTime.MaxValue;
        }
        var health = _health.TryGetValue(server.Name, out var known) ? known : _health[server.Name] = new ServerHealth();
        if (health.RetryAt > Now())
            return health.RetryAt;
        SmtpClient? client = null;
        try
        {
            foreach (var message in messages)
            {
                // The message in hand is finished even when stopping: cutting it would leave it in doubt.
                if (stoppingToken.IsCancellationRequested)
                    return Now();
                if (await quotaTable.HeldUntilAsync(server, Now(), stoppingToken) is { } held)
                    return held;
                lock (state.Gate)
                {
                    if (QuotaResetAt(server, Now()) is { } reset)
                        return reset;
                    (message.State, message.Server) = (MessageState.Sending, server.Name);
                    message.Attempts++;
                    Record(message);
                }
                try
                {
                    client ??= await ConnectAsync(server);
                    await client.SendAsync(ToMime(message));
                    lock (state.Gate)
                    {
                        state.Outbox.MarkSent(message, Now());
                        message.Relayed = true;
                        Record(message);
                    }
                    await quotaTable.LogUsageAsync(server, Now(), stoppingToken);
                    health.Failures = 0;
                }
                catch (SmtpCommandException e) when (e.ErrorCode != SmtpErrorCode.UnexpectedStatusCode && (int)e.StatusCode >= 500)
                {
                    Settle(message, MessageState.Failed, e, DateTime.MinValue);
                    client = await DropAsync(client);
                }
                catch (SmtpCommandException e) when (e.ErrorCode != SmtpErrorCode.UnexpectedStatusCode && e.StatusCode != SmtpStatusCode.ServiceNotAvailable)
                {
                    // A 4xx for this message only (mailbox busy, try later): the others go on.
                    Settle(message, MessageState.Queued, e, Now() + Backoff(message.Attempts));
                    client = await DropAsync(client);
                }
                catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or SocketException or TimeoutException or OperationCanceledException)
                {
                    // The server is down or refuses service (421): everything for it waits.
                    health.Failures++;
                    health.RetryAt = Now() + Backoff(health.Failures);
                    Settle(message, MessageState.Queued, e, health.RetryAt);
                    logger.LogWarning("Delivery server {Server} ({Host}:{Port}) unavailable, retry at {RetryAt:O}: {Error}",
                        server.Name, server.Hostname, server.Port, health.RetryAt, e.Message);
                    return health.RetryAt;
                }
            }
            return DateTime.MaxValue;
        }
        finally
        {
            await DropAsync(client);
        }
    }

    /// <summary>Journals a message's new state, unless a reset dropped it from the outbox while it was with the server.</summary>
    private void Record(OutboundMessage message)
    {
        if (ReferenceEquals(state.Outbox.Find(message.Key), message))
            store.Journal(message);
    }

    private void Settle(OutboundMessage message, string newState, Exception error, DateTime retryAt)
    {
        lock (state.Gate)
        {
            (message.State, message.LastError, message.NextAttemptAt) = (newState, error.Message, retryAt);
            Record(message);
        }
    }

    /// <summary>When the server may send again if a quota is used up this clock hour or day (MailWizz counts per
    /// calendar hour and day, not sliding windows); null when it may send now.</summary>
    private DateTime? QuotaResetAt(DeliveryServer server, DateTime now)
    {
        var hourStart = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        if (server.DailyQuota > 0 && state.Outbox.UsedInDay(server.Name, now) >= server.DailyQuota)
            return hourStart.Date.AddDays(1);
        if (server.HourlyQuota > 0 && state.Outbox.UsedInHour(server.Name, now) >= server.HourlyQuota)
            return hourStart.AddHours(1);
        return null;
    }

    private TimeSpan Backoff(int failures) => options.RetryAfter * Math.Pow(2, Math.Clamp(failures - 1, 0, 6));

    private static async Task<SmtpClient> ConnectAsync(DeliveryServer server)
    {
        var client = new SmtpClient { Timeout = 30_000, LocalDomain = "mailwizz.standin" };
        try
        {
            await client.ConnectAsync(server.Hostname, server.Port, SecureSocketOptions.None);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task<SmtpClient?> DropAsync(SmtpClient? client)
    {
        if (client is null)
            return null;
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(quit: true);
        }
        catch (Exception e) when (e is IOException or SocketException or ServiceNotConnectedException or SmtpCommandException or SmtpProtocolException)
        {
            // Already broken: nothing more to say to it.
        }
        client.Dispose();
        return null;
    }

    private MimeMessage ToMime(OutboundMessage message)
    {
        var mime = new MimeMessage { Subject = message.Subject, MessageId = message.MessageId ?? throw new InvalidOperationException("a message is rendered before it is relayed"), Date = clock.GetUtcNow() };
        mime.From.Add(new MailboxAddress(message.FromName, message.FromEmail));
        mime.To.Add(MailboxAddress.Parse(message.To));
        if (MailboxAddress.TryParse(message.ReplyTo, out var replyTo))
            mime.ReplyTo.Add(replyTo);
        foreach (var (name, value) in message.Headers)
            mime.Headers.Add(name, value);
        mime.Body = new TextPart("html") { Text = message.Html };
        return mime;
    }

    /// <summary>A regular campaign in pending-sending whose send_at has come gets one message per confirmed subscriber.</summary>
    private bool StartDueCampaigns(DateTime now)
    {
        var started = false;
        foreach (var campaign in state.Campaigns.Where(c => c.V("type") != "autoresponder" && c.Status == "pending-sending"))
        {
            if (!DateTime.TryParseExact(campaign.V("send_at"), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var sendAt) || sendAt > now
                || ListEndpoints.Find(state, campaign.ListUid) is not { } list)
                continue;
            foreach (var subscriber in list.Subscribers.Where(x => x.Status == "confirmed"))
            {
                var key = OutboundMessage.KeyOf(campaign.Uid, subscriber.Uid);
                if (!state.Outbox.Contains(key))
                    state.Outbox.Put(new OutboundMessage { Key = key, CampaignUid = campaign.Uid, ListUid = list.Uid, SubscriberUid = subscriber.Uid, DueAt = now });
            }
            campaign.Status = "sending";
            started = true;
        }
        return started;
    }

    /// <summary>A regular campaign is sent once none of its messages waits any more.</summary>
    private bool FinishSentCampaigns()
    {
        var sending = state.Campaigns.Where(c => c.V("type") != "autoresponder" && c.Status == "sending").ToList();
        if (sending.Count == 0)
            return false;
        var waiting = state.Outbox.Messages.Where(m => !MessageState.IsFinal(m.State)).Select(m => m.CampaignUid).ToHashSet();
        var finished = sending.Where(c => !waiting.Contains(c.Uid)).ToList();
        foreach (var campaign in finished)
            campaign.Status = "sent";
        return finished.Count > 0;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private sealed class ServerHealth
    {
        public int Failures { get; set; }
        public DateTime RetryAt { get; set; }
    }
}
