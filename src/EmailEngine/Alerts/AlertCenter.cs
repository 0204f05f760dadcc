using EmailEngine.Common;
using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Alerts;

/// <summary>
/// Opens, escalates, reminds and resolves alerts by cause. A cause seen again while its alert is open only refreshes it
/// (no new message); a higher severity sends an "escalated" message; every <c>ALERT_REMIND_HOURS</c> (24; 0 = never) an
/// open alert is sent again as a reminder; when the cause clears, a "resolved" message goes out. Adds to the caller's
/// unit of work: the caller saves, in the same transaction as the change that raised or cleared the cause.
/// </summary>
public sealed class AlertCenter(AppDbContext db, AlertPolicy policy, TimeProvider clock)
{
    public async Task<Alert> RaiseAsync(string key, AlertSeverity severity, string title, string body, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var alert = await OpenAsync(key, ct);
        if (alert is null)
        {
            alert = new Alert { Key = TextCut.Ellipsis(key, 300), Severity = severity, Title = TextCut.Ellipsis(title, 300), Body = TextCut.Ellipsis(body, 4000), State = AlertState.Open, OpenedAt = now };
            db.Add(alert);
            Notify(alert, NotificationKind.Raised, now);
        }
        else if (severity > alert.Severity)
        {
            (alert.Severity, alert.Title, alert.Body) = (severity, TextCut.Ellipsis(title, 300), TextCut.Ellipsis(body, 4000));
            Notify(alert, NotificationKind.Escalated, now);
        }
        else
            alert.Body = TextCut.Ellipsis(body, 4000);
        alert.LastSeenAt = now;
        alert.Occurrences++;
        return alert;
    }

    /// <returns>Whether an open alert was resolved.</returns>
    public async Task<bool> ResolveAsync(string key, string note, CancellationToken ct)
    {
        if (await OpenAsync(key, ct) is not { } alert)
            return false;
        var now = clock.GetUtcNow();
        alert.State = AlertState.Resolved;
        alert.ResolvedAt = now;
        alert.Body = TextCut.Ellipsis($"{note}\n\n(was: {alert.Body})", 4000);
        Notify(alert, NotificationKind.Resolved, now);
        return true;
    }

    /// <summary>The causes of the open alerts whose key starts with <paramref name="prefix"/>: a sweep resolves the ones it no longer sees.</summary>
    public async Task<IReadOnlyList<string>> OpenKeysAsync(string prefix, CancellationToken ct) =>
        await db.Set<Alert>().Where(a => a.State == AlertState.Open && a.Key.StartsWith(prefix)).Select(a => a.Key).ToListAsync(ct);

    /// <summary>Queues a reminder for every open alert not sent for <see cref="AlertPolicy.RemindAfter"/>.</summary>
    public async Task<int> RemindAsync(CancellationToken ct)
    {
        if (policy.RemindAfter <= TimeSpan.Zero)
            return 0;
        var now = clock.GetUtcNow();
        var due = now - policy.RemindAfter;
        var alerts = await db.Set<Alert>().Where(a => a.State == AlertState.Open && (a.RemindedAt ?? a.OpenedAt) <= due).ToListAsync(ct);
        foreach (var alert in alerts)
        {
            alert.RemindedAt = now;
            Notify(alert, NotificationKind.Reminder, now);
        }
        return alerts.Count;
    }

    private async Task<Alert?> OpenAsync(string key, CancellationToken ct) =>
        db.ChangeTracker.Entries<Alert>().Select(e => e.Entity).FirstOrDefault(a => a.Key == key && a.State == AlertState.Open)
        ?? await db.Set<Alert>().SingleOrDefaultAsync(a => a.Key == key && a.State == AlertState.Open, ct);

    private static void Notify(Alert alert, NotificationKind kind, DateTimeOffset now) =>
        alert.Notifications.Add(new AlertNotification { Kind = kind, CreatedAt = now, NextAttemptAt = now });
}
