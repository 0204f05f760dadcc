using System.Diagnostics;
using EmailEngine.Alerts;
using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.Alerts;

/// <summary>
/// The Telegram channel on its own, registered by <see cref="AlertSetup.AddAlerts"/> as the engine does, against the Bot
/// API stand-in over a real socket: what it sends, how it reads each refusal, and that the token shows nowhere.
/// </summary>
public sealed class TelegramChannelTests : IAsyncLifetime
{
    private const string Token = "987654:AAE-channel-test-secret", Chat = "-1001112223334";
    private readonly LogCapture _log = new();
    private TelegramStandIn _telegram = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _telegram = await TelegramStandIn.StartAsync(Token, Chat);
        _services = Channel(Token);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    private ServiceProvider Channel(string token)
    {
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(_log))
            .AddSingleton(TimeProvider.System);
        services.AddAlerts(SettingsLoader.FromValues(new Dictionary<string, string>
        {
            ["API_KEY"] = "test_key_123", ["ALERT_TELEGRAM_BOT_TOKEN"] = token, ["ALERT_TELEGRAM_CHAT_ID"] = Chat, ["ALERT_TELEGRAM_API"] = _telegram.ApiBase,
        }));
        services.AddHttpClient(TelegramChannel.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(3)); // the engine waits 15 s
        services.AddSingleton<ITelegramChatMoves, NoMoves>(); // no database here (moves are kept in AlertDeliveryTests)
        return services.BuildServiceProvider();
    }

    private sealed class NoMoves : ITelegramChatMoves
    {
        public Task<string?> FindAsync(string chatId, CancellationToken ct) => Task.FromResult<string?>(null);

        public Task SaveAsync(string chatId, string movedTo, CancellationToken ct) => Task.CompletedTask;
    }

    private IAlertChannel Telegram => _services.GetRequiredService<IAlertChannel>();

    private static AlertMessage Message(AlertSeverity severity = AlertSeverity.Critical, string body = "listed", NotificationKind kind = NotificationKind.Raised,
        string title = "203.0.113.5 listed on Spamhaus ZEN") =>
        new("blocklist:203.0.113.5:spamhaus-zen", severity, kind, title, body, DateTimeOffset.UtcNow);

    private void AssertTokenShownNowhere(params string?[] texts)
    {
        Assert.All(texts, t => Assert.DoesNotContain(Token, t ?? ""));
        Assert.DoesNotContain(_log.AtLeast(LogLevel.Trace), e => e.Message.Contains(Token) || e.Message.Contains("AAE-channel"));
    }

    [Fact]
    public async Task The_body_is_html_escaped_under_a_bold_title_and_info_goes_silent()
    {
        Assert.Null(await Telegram.TrySendAsync(Message(AlertSeverity.Info, "<b>x</b> & 203.0.113.5 > mta-1.example.fr"), CancellationToken.None));
        Assert.Null(await Telegram.TrySendAsync(Message(AlertSeverity.Critical, kind: NotificationKind.Resolved), CancellationToken.None));

        var (info, resolved) = (_telegram.Received[0], _telegram.Received[1]);
        Assert.Equal(("HTML", true, Chat), (info.ParseMode, info.Silent, info.ChatId));
        Assert.Equal("<b>[INFO] 203.0.113.5 listed on Spamhaus ZEN</b>\n&lt;b&gt;x&lt;/b&gt; &amp; 203.0.113.5 &gt; mta-1.example.fr\n<i>blocklist:203.0.113.5:spamhaus-zen</i>",
            info.Text);
        Assert.False(resolved.Silent);
        Assert.StartsWith("<b>✅ [RESOLVED] 203.0.113.5", resolved.Text);
        AssertTokenShownNowhere();
    }

    [Fact]
    public async Task A_long_message_is_cut_to_4096_characters_without_breaking_an_escape_or_an_emoji()
    {
        var body = string.Concat(Enumerable.Repeat("a < b & c 🚨 ", 1000));
        var title = string.Concat(Enumerable.Repeat("zone & list ", 100));

        Assert.Null(await Telegram.TrySendAsync(Message(body: body, title: title), CancellationToken.None));

        var text = Assert.Single(_telegram.Received).Text; // the stand-in parsed it and counted at most 4096 characters
        Assert.True(text.Length <= TelegramChannel.MaxLength, $"{text.Length} characters");
        Assert.EndsWith("…\n<i>blocklist:203.0.113.5:spamhaus-zen</i>", text);
        Assert.Contains("…</b>", text);
    }

    [Fact]
    public async Task After_a_429_the_chat_gets_nothing_until_retry_after_has_passed()
    {
        _telegram.FloodControl(retryAfterSeconds: 2);

        var flooded = await Telegram.TrySendAsync(Message(), CancellationToken.None);
        var meanwhile = await Telegram.TrySendAsync(Message(), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(2.1));
        var after = await Telegram.TrySendAsync(Message(), CancellationToken.None);

        Assert.True(flooded?.RetryAfter == TimeSpan.FromSeconds(2), flooded?.Message ?? "taken");
        Assert.False(flooded!.Permanent);
        Assert.InRange(meanwhile?.RetryAfter ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Null(after);
        Assert.Equal(2, _telegram.Requests.Count); // the 429 and the message after it, nothing in between
        Assert.True(_telegram.Received.Single().At - _telegram.Requests[0] >= TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Messages_to_the_chat_go_at_most_about_one_a_second()
    {
        for (var i = 0; i < 3; i++)
            Assert.Null(await Telegram.TrySendAsync(Message(), CancellationToken.None));

        var at = _telegram.Received.Select(m => m.At).ToList();
        Assert.All(at.Zip(at.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(1), $"{(pair.Second - pair.First).TotalMilliseconds} ms apart"));
    }

    [Fact]
    public async Task A_bot_removed_from_the_chat_is_a_configuration_error_asked_once_and_its_text_holds_no_token()
    {
        _telegram.Forbidden();

        var error = await Telegram.TrySendAsync(Message(), CancellationToken.None);

        Assert.NotNull(error);
        Assert.True(error.Permanent);
        Assert.Null(error.RetryAfter);
        Assert.Contains("403", error.Message);
        Assert.Contains("ALERT_TELEGRAM_CHAT_ID", error.Message);
        Assert.Single(_telegram.Requests);
        AssertTokenShownNowhere(error.Message, error.ToString());
    }

    [Fact]
    public async Task A_wrong_token_is_a_configuration_error_naming_the_key_never_the_value()
    {
        await using var wrong = Channel("111:AAE-channel-wrong-token");

        var error = await wrong.GetRequiredService<IAlertChannel>().TrySendAsync(Message(), CancellationToken.None);

        Assert.NotNull(error);
        Assert.True(error.Permanent);
        Assert.Contains("ALERT_TELEGRAM_BOT_TOKEN", error.Message);
        Assert.DoesNotContain("111:AAE", error.ToString());
        Assert.DoesNotContain(_log.AtLeast(LogLevel.Trace), e => e.Message.Contains("111:AAE"));
        Assert.Empty(_telegram.Received);
    }

    [Fact]
    public async Task Markup_Telegram_cannot_parse_is_sent_again_once_as_plain_text()
    {
        _telegram.RefuseMarkup();

        Assert.Null(await Telegram.TrySendAsync(Message(body: "DMARC p=none & <rua> missing"), CancellationToken.None));

        var message = Assert.Single(_telegram.Received);
        Assert.Null(message.ParseMode);
        Assert.Equal("[CRITICAL] 203.0.113.5 listed on Spamhaus ZEN\nDMARC p=none & <rua> missing\nblocklist:203.0.113.5:spamhaus-zen", message.Text);
        Assert.Equal(2, _telegram.Requests.Count);
    }

    [Fact]
    public async Task No_answer_in_time_is_a_failure_to_retry_that_says_so_without_the_url()
    {
        _telegram.Stall(TimeSpan.FromSeconds(10));
        var watch = Stopwatch.StartNew();

        var error = await Telegram.TrySendAsync(Message(), CancellationToken.None);

        Assert.NotNull(error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(8), $"{watch.Elapsed.TotalSeconds:F1} s");
        Assert.False(error.Permanent);
        Assert.Null(error.RetryAfter);
        Assert.Equal("Telegram did not answer in time", error.Message);
        AssertTokenShownNowhere(error.ToString());
    }
}
