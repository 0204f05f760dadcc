namespace EmailEngine.Alerts;

/// <summary>What a channel sends: one notification of one alert.</summary>
public sealed record AlertMessage(string Key, AlertSeverity Severity, NotificationKind Kind, string Title, string Body, DateTimeOffset At)
{
    public static AlertMessage Of(AlertNotification notification) =>
        new(notification.Alert.Key, notification.Alert.Severity, notification.Kind, notification.Alert.Title, notification.Alert.Body, notification.CreatedAt);

    /// <summary>The cause cleared: this message closes the alert.</summary>
    public bool Resolved => Kind == NotificationKind.Resolved;

    /// <summary>"[CRITICAL] …", "[RESOLVED] …", "[REMINDER] …": the first thing a phone shows.</summary>
    public string Subject => Kind switch
    {
        NotificationKind.Resolved => $"[RESOLVED] {Title}",
        NotificationKind.Reminder => $"[REMINDER {Severity.ToString().ToUpperInvariant()}] {Title}",
        NotificationKind.Escalated => $"[ESCALATED {Severity.ToString().ToUpperInvariant()}] {Title}",
        _ => $"[{Severity.ToString().ToUpperInvariant()}] {Title}",
    };
}

/// <summary>A way to reach the operator. Throws <see cref="AlertChannelException"/> when the message was not taken.</summary>
public interface IAlertChannel
{
    string Name { get; }
    Task SendAsync(AlertMessage message, CancellationToken ct);
}

/// <summary>
/// Not taken: <see cref="RetryAfter"/> when the channel said when to come back (Telegram's 429), <see cref="Permanent"/>
/// when retrying cannot help until the configuration is fixed (bad token, unknown chat). The message never holds a secret.
/// </summary>
public sealed class AlertChannelException(string message, TimeSpan? retryAfter = null, bool permanent = false) : Exception(message)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public bool Permanent { get; } = permanent;
}

public static class AlertChannelExtensions
{
    /// <summary>
    /// Sends and says what happened instead of throwing: null when the channel took the message, else why not. Anything
    /// else a channel throws (a library's own exception, a bug) is that channel's failure only, so one broken channel never
    /// keeps the message from the others. Only the caller's own cancellation propagates.
    /// </summary>
    public static async Task<AlertChannelException?> TrySendAsync(this IAlertChannel channel, AlertMessage message, CancellationToken ct)
    {
        try
        {
            await channel.SendAsync(message, ct);
            return null;
        }
        catch (AlertChannelException e)
        {
            return e;
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            return new AlertChannelException($"the {channel.Name} channel failed unexpectedly ({e.GetType().Name}: {e.Message})");
        }
    }
}
