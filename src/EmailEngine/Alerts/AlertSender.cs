using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Locks;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Alerts;

/// <summary>
/// Sends the queued alert messages to the channels routed for their severity, one engine at a time. A message is done
/// when every routed channel has taken it; a retry goes only to the channels that did not. A channel that asks to wait
/// (Telegram's 429 <c>retry_after</c>) gets the same message back after that wait, without counting an attempt; other
/// failures back off (<c>ALERT_RETRY_SECONDS</c> × 2ⁿ, at most 30 min) and are retried until taken. More than <see cref="DigestAbove"/>
/// messages due at once for a channel go as one digest, so a sweep that finds 50 listings is one message, not 50.
/// </summary>
public sealed class AlertSender(AppDbContext db, IEnumerable<IAlertChannel> channels, AlertChannelOptions routes, AlertPolicy policy, IDistributedLock locks,
    TimeProvider clock, ILogger<AlertSender> logger)
{
    public const int DigestAbove = 3;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(30);

    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var held = await locks.TryAcquireAsync("alerts-send", TimeSpan.FromMinutes(5), ct);
        if (held is null)
            return 0;
        var now = clock.GetUtcNow();
        var due = await db.Set<AlertNotification>().Include(n => n.Alert).Where(n => n.SentAt == null && n.NextAttemptAt <= now)
            .OrderBy(n => n.Id).Take(200).ToListAsync(ct);
        if (due.Count == 0)
            return 0;
        var byName = channels.ToDictionary(c => c.Name);
        var errors = due.ToDictionary(n => n, _ => new List<AlertChannelException>());
        foreach (var channel in routes.Configured.Select(name => byName[name]))
        {
            var mine = due.Where(n => routes.ChannelsFor(n.Alert.Severity).Contains(channel.Name) && !Delivered(n).Contains(channel.Name)).ToList();
            if (mine.Count == 0)
                continue;
            var batches = mine.Count > DigestAbove ? [(Digest(mine, now), mine)]
                : mine.Select(n => (Message: AlertMessage.Of(n), Covered: new List<AlertNotification> { n })).ToList();
            foreach (var (message, covered) in batches)
            {
                if (await channel.TrySendAsync(message, ct) is { } e)
                {
                    logger.LogWarning("Alert channel {Channel} did not take {Count} message(s): {Error}", channel.Name, covered.Count, e.Message);
                    foreach (var notification in covered)
                        errors[notification].Add(e);
                }
                else
                    foreach (var notification in covered)
                        notification.DeliveredTo = string.Join(',', Delivered(notification).Append(channel.Name));
            }
        }
        var answered = clock.GetUtcNow(); // waits start when the channels answered, not when the round began
        foreach (var notification in due)
            Settle(notification, errors[notification], answered);
        await db.SaveChangesAsync(CancellationToken.None); // what was sent is recorded even if the engine is stopping
        return due.Count(n => n.SentAt is not null);
    }

    private void Settle(AlertNotification notification, List<AlertChannelException> errors, DateTimeOffset now)
    {
        var missing = routes.ChannelsFor(notification.Alert.Severity).Except(Delivered(notification)).ToList();
        if (routes.Configured.Count == 0)
            (notification.SentAt, notification.LastError) = (now, "no alert channel is configured");
        else if (missing.Count == 0)
            (notification.SentAt, notification.LastError) = (now, null);
        else
        {
            notification.LastError = string.Join("; ", errors.Select(e => e.Message).DefaultIfEmpty("not sent yet"));
            var waits = errors.Where(e => e.RetryAfter is not null).Select(e => e.RetryAfter!.Value).ToList();
            if (errors.Any(e => e.RetryAfter is null))
                notification.Attempts++;
            var backoff = errors.Any(e => e.Permanent) ? MaxBackoff
                : Backoff.Doubling(policy.RetryBase, notification.Attempts, MaxBackoff);
            notification.NextAttemptAt = now + (errors.All(e => e.RetryAfter is not null) && waits.Count > 0 ? waits.Max() : backoff);
        }
    }

    private static IEnumerable<string> Delivered(AlertNotification n) => n.DeliveredTo.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static AlertMessage Digest(IReadOnlyList<AlertNotification> notifications, DateTimeOffset now)
    {
        var severity = notifications.Max(n => n.Alert.Severity);
        var lines = notifications.Select(n => "• " + AlertMessage.Of(n).Subject);
        return new AlertMessage("digest", severity, NotificationKind.Raised, $"{notifications.Count} alert messages", string.Join('\n', lines)
            + "\n\nDetails: GET /api/v1/alerts", now);
    }
}

/// <summary>
/// Every <c>ALERT_SEND_SECONDS</c> sends what is due; every <c>ALERT_HEALTH_SECONDS</c> turns the health checks into
/// alerts and queues the reminders first.
/// </summary>
internal sealed class AlertWorker(IServiceScopeFactory scopes, AlertPolicy policy, DatabaseMigrator migrator, TimeProvider clock, ILogger<AlertWorker> logger)
    : PeriodicWorker(migrator, clock, logger)
{
    private DateTimeOffset _lastHealth = DateTimeOffset.MinValue;

    protected override TimeSpan Interval => policy.SendInterval;

    protected override string RoundName => "Alert round";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (policy.HealthInterval > TimeSpan.Zero && Clock.GetUtcNow() - _lastHealth >= policy.HealthInterval)
        {
            await scope.ServiceProvider.GetRequiredService<HealthAlerts>().RunAsync(ct);
            _lastHealth = Clock.GetUtcNow();
        }
        await scope.ServiceProvider.GetRequiredService<AlertSender>().SendDueAsync(ct);
    }
}
