using System.Net.Mail;
using EmailEngine.Hosting;
using MailKit.Security;

namespace EmailEngine.Alerts;

/// <summary>
/// Which channels are configured and which severities each one gets. A channel is on when its keys are set; a channel
/// half set (a token without a chat) stops the start, naming the missing key. <c>ALERT_ROUTES</c> routes severities, e.g.
/// <c>critical=telegram,email,webhook;warning=telegram;info=webhook</c>; unset, every channel gets every severity.
/// Resolved, reminder and escalated messages follow their alert's severity.
/// </summary>
public sealed record AlertChannelOptions(TelegramSettings? Telegram, WebhookAlertSettings? Webhook, EmailAlertSettings? Email,
    IReadOnlyDictionary<AlertSeverity, IReadOnlyList<string>> Routes)
{
    public IReadOnlyList<string> Configured => new[] { Telegram is null ? null : "telegram", Webhook is null ? null : "webhook", Email is null ? null : "email" }
        .OfType<string>().ToList();

    public IReadOnlyList<string> ChannelsFor(AlertSeverity severity) => Routes.GetValueOrDefault(severity) ?? Configured;

    public static AlertChannelOptions From(EngineSettings settings)
    {
        var telegram = Group(settings, ["ALERT_TELEGRAM_BOT_TOKEN", "ALERT_TELEGRAM_CHAT_ID"]) is { } t
            ? new TelegramSettings(t[0], t[1], settings.Get("ALERT_TELEGRAM_API") ?? "https://api.telegram.org") : null;
        WebhookAlertSettings? webhook = null;
        if (Group(settings, ["ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET"]) is { } w)
            webhook = Uri.TryCreate(w[0], UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
                ? new WebhookAlertSettings(url, w[1]) : throw new ConfigurationError("ALERT_WEBHOOK_URL", "expected an http(s) URL");
        EmailAlertSettings? email = null;
        if (Group(settings, ["ALERT_SMTP_HOST", "ALERT_SMTP_FROM", "ALERT_SMTP_TO"]) is { } e)
        {
            var to = e[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var (key, address) in to.Select(a => ("ALERT_SMTP_TO", a)).Prepend(("ALERT_SMTP_FROM", e[1])))
                if (!MailAddress.TryCreate(address, out _))
                    throw new ConfigurationError(key, $"'{address}' is not an e-mail address");
            var security = settings.Get("ALERT_SMTP_TLS")?.Trim().ToLowerInvariant() switch
            {
                null or "auto" => SecureSocketOptions.StartTlsWhenAvailable,
                "starttls" => SecureSocketOptions.StartTls,
                "ssl" => SecureSocketOptions.SslOnConnect,
                "none" => SecureSocketOptions.None,
                _ => throw new ConfigurationError("ALERT_SMTP_TLS", "expected auto, starttls, ssl or none"),
            };
            email = new EmailAlertSettings(e[0], settings.Whole("ALERT_SMTP_PORT", 25, min: 1, max: 65535), security,
                settings.Get("ALERT_SMTP_USER"), settings.Get("ALERT_SMTP_PASSWORD"), e[1], to);
        }
        var configured = new[] { telegram is null ? null : "telegram", webhook is null ? null : "webhook", email is null ? null : "email" }.OfType<string>().ToList();
        return new(telegram, webhook, email, ParseRoutes(settings.Get("ALERT_ROUTES"), configured));
    }

    /// <summary>All the keys of a channel, or none of them.</summary>
    private static string[]? Group(EngineSettings settings, string[] keys)
    {
        var values = keys.Select(k => settings.Get(k)?.Trim()).ToArray();
        if (values.All(v => v is null))
            return null;
        var missing = keys.Where((_, i) => values[i] is null).ToList();
        return missing.Count == 0 ? values.Select(v => v!).ToArray() : throw new ConfigurationError(missing[0], $"needed with {string.Join(", ", keys.Where((_, i) => values[i] is not null))}");
    }

    private static Dictionary<AlertSeverity, IReadOnlyList<string>> ParseRoutes(string? text, IReadOnlyList<string> configured)
    {
        var routes = new Dictionary<AlertSeverity, IReadOnlyList<string>>();
        foreach (var rule in (text ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = rule.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !Enum.TryParse<AlertSeverity>(parts[0], ignoreCase: true, out var severity) || !Enum.IsDefined(severity))
                throw new ConfigurationError("ALERT_ROUTES", $"'{rule}': expected severity=channel,… with severity critical, warning or info");
            var channels = parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToLowerInvariant()).ToList();
            if (channels.FirstOrDefault(c => !configured.Contains(c)) is { } unknown)
                throw new ConfigurationError("ALERT_ROUTES", $"'{unknown}' is not a configured channel (configured: {(configured.Count == 0 ? "none" : string.Join(", ", configured))})");
            routes[severity] = channels;
        }
        return routes;
    }
}
