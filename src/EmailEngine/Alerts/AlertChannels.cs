using System.Net.Mail;
using System.Text.RegularExpressions;
using EmailEngine.Hosting;
using MailKit.Security;

namespace EmailEngine.Alerts;

/// <summary>
/// Which channels are configured and which severities each one gets. A channel is on when its keys are set; a channel
/// half set (a token without a chat, a port or a password without a host) stops the start, naming the missing key. <c>ALERT_ROUTES</c> routes severities, e.g.
/// <c>critical=telegram,email,webhook;warning=telegram;info=webhook</c>; unset, every channel gets every severity.
/// Resolved, reminder and escalated messages follow their alert's severity.
/// </summary>
public sealed partial record AlertChannelOptions(TelegramSettings? Telegram, WebhookAlertSettings? Webhook, EmailAlertSettings? Email,
    IReadOnlyDictionary<AlertSeverity, IReadOnlyList<string>> Routes)
{
    public IReadOnlyList<string> Configured => new[] { Telegram is null ? null : "telegram", Webhook is null ? null : "webhook", Email is null ? null : "email" }
        .OfType<string>().ToList();

    public IReadOnlyList<string> ChannelsFor(AlertSeverity severity) => Routes.GetValueOrDefault(severity) ?? Configured;

    public static AlertChannelOptions From(EngineSettings settings)
    {
        TelegramSettings? telegram = null;
        if (Group(settings, ["ALERT_TELEGRAM_BOT_TOKEN", "ALERT_TELEGRAM_CHAT_ID"], ["ALERT_TELEGRAM_API"]) is { } t)
        {
            if (!BotToken().IsMatch(t[0]))
                throw new ConfigurationError("ALERT_TELEGRAM_BOT_TOKEN", "expected the token BotFather gave, digits:letters, without 'bot' or a URL (the value is not shown)");
            if (!ChatId().IsMatch(t[1]))
                throw new ConfigurationError("ALERT_TELEGRAM_CHAT_ID", $"'{t[1]}': expected a numeric chat id (-100… for a supergroup or channel) or @channelname");
            telegram = new TelegramSettings(t[0], t[1], HttpUrl(settings, "ALERT_TELEGRAM_API")?.ToString() ?? "https://api.telegram.org");
        }
        WebhookAlertSettings? webhook = null;
        if (Group(settings, ["ALERT_WEBHOOK_URL", "ALERT_WEBHOOK_SECRET"], []) is { } w)
            webhook = new WebhookAlertSettings(HttpUrl(settings, "ALERT_WEBHOOK_URL")!, w[1]);
        EmailAlertSettings? email = null;
        if (Group(settings, ["ALERT_SMTP_HOST", "ALERT_SMTP_FROM", "ALERT_SMTP_TO"], ["ALERT_SMTP_PORT", "ALERT_SMTP_TLS", "ALERT_SMTP_USER", "ALERT_SMTP_PASSWORD"]) is { } e)
        {
            if (settings.Get("ALERT_SMTP_USER") is null != settings.Get("ALERT_SMTP_PASSWORD") is null)
                throw settings.Get("ALERT_SMTP_USER") is null
                    ? new ConfigurationError("ALERT_SMTP_USER", "needed with ALERT_SMTP_PASSWORD")
                    : new ConfigurationError("ALERT_SMTP_PASSWORD", "needed with ALERT_SMTP_USER");
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

    /// <summary>All the required keys of a channel, or none of them nor of its optional ones.</summary>
    private static string[]? Group(EngineSettings settings, string[] required, string[] optional)
    {
        var values = required.Select(k => settings.Get(k)?.Trim()).ToArray();
        var set = required.Concat(optional).Where(k => settings.Get(k) is not null).ToList();
        if (set.Count == 0)
            return null;
        var missing = required.Where((_, i) => values[i] is null).ToList();
        return missing.Count == 0 ? values.Select(v => v!).ToArray() : throw new ConfigurationError(missing[0], $"needed with {string.Join(", ", set)}");
    }

    private static Uri? HttpUrl(EngineSettings settings, string key) => settings.Get(key)?.Trim() is not { } text ? null
        : Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" ? url : throw new ConfigurationError(key, "expected an http(s) URL");

    [GeneratedRegex(@"^\d+:[A-Za-z0-9_-]+$")]
    private static partial Regex BotToken();

    [GeneratedRegex(@"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,})$")]
    private static partial Regex ChatId();

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
