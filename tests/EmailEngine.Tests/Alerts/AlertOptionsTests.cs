using EmailEngine.Alerts;
using EmailEngine.Hosting;

namespace EmailEngine.Tests.Alerts;

/// <summary>Alert channels and routes are checked at start: a half-set channel or a bad route stops it, naming the key.</summary>
public sealed class AlertOptionsTests
{
    private static AlertChannelOptions From(params (string Key, string Value)[] values) =>
        AlertChannelOptions.From(SettingsLoader.FromValues(values.Append(("API_KEY", "test_key_123")).GroupBy(v => v.Item1).ToDictionary(g => g.Key, g => g.Last().Item2)));

    [Theory]
    [InlineData("ALERT_TELEGRAM_BOT_TOKEN", "1:abc", "ALERT_TELEGRAM_CHAT_ID")]
    [InlineData("ALERT_WEBHOOK_URL", "https://ops.example.fr/hook", "ALERT_WEBHOOK_SECRET")]
    [InlineData("ALERT_SMTP_HOST", "smtp.example.fr", "ALERT_SMTP_FROM")]
    [InlineData("ALERT_TELEGRAM_API", "http://127.0.0.1:8081", "ALERT_TELEGRAM_BOT_TOKEN")]
    [InlineData("ALERT_SMTP_PORT", "587", "ALERT_SMTP_HOST")]
    [InlineData("ALERT_SMTP_PASSWORD", "hunter2", "ALERT_SMTP_HOST")]
    public void A_half_set_channel_stops_the_start_naming_the_missing_key(string key, string value, string missing)
    {
        var error = Assert.Throws<ConfigurationError>(() => From((key, value)));

        Assert.StartsWith($"Invalid configuration: {missing}:", error.Message);
    }

    [Theory]
    [InlineData("ALERT_ROUTES", "urgent=telegram", "ALERT_ROUTES")]
    [InlineData("ALERT_ROUTES", "critical=pager", "ALERT_ROUTES")]
    [InlineData("ALERT_SMTP_TLS", "maybe", "ALERT_SMTP_TLS")]
    [InlineData("ALERT_SMTP_TO", "not-an-address", "ALERT_SMTP_TO")]
    [InlineData("ALERT_SMTP_USER", "ops", "ALERT_SMTP_PASSWORD")]
    [InlineData("ALERT_SMTP_PASSWORD", "hunter2", "ALERT_SMTP_USER")]
    [InlineData("ALERT_SMTP_PORT", "70000", "ALERT_SMTP_PORT")]
    [InlineData("ALERT_TELEGRAM_API", "api.telegram.org", "ALERT_TELEGRAM_API")]
    [InlineData("ALERT_TELEGRAM_CHAT_ID", "my group", "ALERT_TELEGRAM_CHAT_ID")]
    [InlineData("ALERT_TELEGRAM_BOT_TOKEN", "bot1:abc", "ALERT_TELEGRAM_BOT_TOKEN")]
    public void Bad_values_stop_the_start_naming_the_key(string key, string value, string named)
    {
        var error = Assert.Throws<ConfigurationError>(() => From(("ALERT_TELEGRAM_BOT_TOKEN", "1:abc"), ("ALERT_TELEGRAM_CHAT_ID", "42"),
            ("ALERT_SMTP_HOST", "smtp.example.fr"), ("ALERT_SMTP_FROM", "engine@example.fr"), ("ALERT_SMTP_TO", "ops@example.fr"), (key, value)));

        Assert.StartsWith($"Invalid configuration: {named}:", error.Message);
    }

    [Fact]
    public void Routes_send_each_severity_to_its_channels_and_unrouted_severities_to_all()
    {
        var options = From(("ALERT_TELEGRAM_BOT_TOKEN", "1:abc"), ("ALERT_TELEGRAM_CHAT_ID", "42"),
            ("ALERT_WEBHOOK_URL", "https://ops.example.fr/hook"), ("ALERT_WEBHOOK_SECRET", "s"), ("ALERT_ROUTES", "info=webhook; critical=telegram,webhook"));

        Assert.Equal(["webhook"], options.ChannelsFor(AlertSeverity.Info));
        Assert.Equal(["telegram", "webhook"], options.ChannelsFor(AlertSeverity.Critical));
        Assert.Equal(["telegram", "webhook"], options.ChannelsFor(AlertSeverity.Warning));
        Assert.DoesNotContain("1:abc", options.Telegram!.ToString());
    }

    [Fact]
    public void A_malformed_token_is_named_but_never_shown()
    {
        var error = Assert.Throws<ConfigurationError>(() => From(("ALERT_TELEGRAM_BOT_TOKEN", "https://api.telegram.org/bot123:AAH-secret"), ("ALERT_TELEGRAM_CHAT_ID", "42")));

        Assert.StartsWith("Invalid configuration: ALERT_TELEGRAM_BOT_TOKEN:", error.Message);
        Assert.DoesNotContain("AAH-secret", error.Message);
    }

    [Fact]
    public void Chat_ids_are_numbers_or_channel_names_and_the_api_base_an_http_url()
    {
        var channel = From(("ALERT_TELEGRAM_BOT_TOKEN", "1:abc"), ("ALERT_TELEGRAM_CHAT_ID", "@ops_alerts"), ("ALERT_TELEGRAM_API", "http://127.0.0.1:8081"));
        var group = From(("ALERT_TELEGRAM_BOT_TOKEN", "1:abc"), ("ALERT_TELEGRAM_CHAT_ID", "-1001234567890"));

        Assert.Equal(("@ops_alerts", "http://127.0.0.1:8081/"), (channel.Telegram!.ChatId, channel.Telegram.ApiBase));
        Assert.Equal(("-1001234567890", "https://api.telegram.org"), (group.Telegram!.ChatId, group.Telegram.ApiBase));
    }
}
