using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Alerts;
using EmailEngine.Data;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizzStandIn;
using EmailEngine.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.Alerts;

/// <summary>
/// Alerts through real sockets: a Telegram Bot API stand-in (flood control, 5xx, unknown chat), the signed webhook
/// against a receiver, and e-mail through an SMTP sink. Messages are queued and sent by the engine's alert worker.
/// </summary>
[LongRunning(25)]
public sealed class AlertDeliveryTests : IAsyncLifetime
{
    private const string Token = "123456:AAH-very-secret-token", Chat = "-1001234567890", WebhookSecret = "whsec_alerts_test";
    private readonly LogCapture _log = new();
    private AlertStack _stack = null!;

    public async Task InitializeAsync() =>
        _stack = await AlertStack.StartAsync(Token, Chat, WebhookSecret, services: services => services.AddSingleton<ILoggerProvider>(_log));

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    private Task RaiseAsync(params (string Key, AlertSeverity Severity, string Body)[] alerts) => _stack.RaiseAsync(alerts);

    private async Task<JsonElement> AlertAsync(string key) =>
        (await _stack.Client.GetFromJsonAsync<JsonElement>("/api/v1/alerts")).GetProperty("items").EnumerateArray().Single(a => a.GetProperty("key").GetString() == key);

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_raised_alert_reaches_every_channel_escaped_signed_and_recorded_and_the_token_is_never_logged()
    {
        await RaiseAsync(("health:outbox", AlertSeverity.Critical, "<b>3 pushes</b> failed & waiting"));

        await Poll.UntilAsync(() => _stack.Telegram.Received.Count == 1 && _stack.Webhook.Accepted.Count == 1 && !_stack.Smtp.Received.IsEmpty, Wait, "every channel took the alert");
        var telegram = _stack.Telegram.Received.Single();
        Assert.Equal(("HTML", false), (telegram.ParseMode, telegram.Silent));
        Assert.StartsWith("<b>[CRITICAL] Alert health:outbox</b>\n&lt;b&gt;3 pushes&lt;/b&gt; failed &amp; waiting", telegram.Text);
        var hook = _stack.Webhook.Accepted.Single();
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(hook.Headers["X-EE-Signature"].Split(',')[0]["t=".Length..]));
        Assert.Equal(WebhookSecrets.Sign(WebhookSecret, timestamp, hook.Body), hook.Headers["X-EE-Signature"]);
        var payload = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal(("critical", false, "<b>3 pushes</b> failed & waiting"),
            (payload.GetProperty("severity").GetString(), payload.GetProperty("resolved").GetBoolean(), payload.GetProperty("body").GetString()));
        Assert.Equal(hook.Headers["X-EE-Delivery"], payload.GetProperty("id").GetString());
        Assert.True(_stack.Smtp.Received.TryPeek(out var mail));
        Assert.Equal("[CRITICAL] Alert health:outbox", mail!.Subject);
        await Poll.UntilAsync(async () => (await AlertAsync("health:outbox")).GetProperty("notifications")[0].GetProperty("sent_at").ValueKind != JsonValueKind.Null,
            Wait, "the message is recorded as sent");
        var notification = (await AlertAsync("health:outbox")).GetProperty("notifications")[0];
        Assert.Equal(["email", "telegram", "webhook"], notification.GetProperty("delivered_to").EnumerateArray().Select(c => c.GetString()).Order());
        Assert.DoesNotContain(_log.AtLeast(LogLevel.Trace), e => e.Message.Contains(Token) || e.Message.Contains("AAH-very"));
    }

    [Fact]
    public async Task After_flood_control_the_same_message_arrives_once_after_retry_after_and_info_is_silent()
    {
        _stack.Telegram.FloodControl(retryAfterSeconds: 2);

        await RaiseAsync(("blocklist:203.0.113.9:uceprotect-2", AlertSeverity.Info, "range listed"));

        await Poll.UntilAsync(() => _stack.Telegram.Received.Count == 1, Wait, "the alert arrives after the flood wait");
        await Task.Delay(1500); // nothing more comes
        var message = Assert.Single(_stack.Telegram.Received);
        Assert.True(message.At - _stack.Telegram.Requests[0] >= TimeSpan.FromSeconds(2), $"sent again {(message.At - _stack.Telegram.Requests[0]).TotalSeconds:F1} s after the 429");
        Assert.True(message.Silent);
        Assert.Single(_stack.Webhook.Accepted);
    }

    [Fact]
    public async Task A_channel_that_failed_gets_the_message_again_and_the_others_do_not()
    {
        _stack.Telegram.ServerError(times: 2);

        await RaiseAsync(("health:powermta", AlertSeverity.Warning, "rolled back"));

        await Poll.UntilAsync(() => _stack.Telegram.Received.Count == 1, Wait, "Telegram takes it on a later attempt");
        Assert.Equal(3, _stack.Telegram.Requests.Count);
        Assert.Single(_stack.Webhook.Accepted);
        Assert.Single(_stack.Smtp.Received);
    }

    [Fact]
    public async Task A_webhook_that_failed_gets_the_same_signed_message_with_the_same_id_again()
    {
        _stack.Webhook.FailNext = 1;

        await RaiseAsync(("health:accounting", AlertSeverity.Warning, "pull late"));

        await Poll.UntilAsync(() => _stack.Webhook.Accepted.Count == 1, Wait, "the webhook takes it on a later attempt");
        var (failed, taken) = (_stack.Webhook.Requests[0], _stack.Webhook.Requests[1]);
        Assert.Equal(503, failed.AnsweredWith);
        Assert.Equal(failed.Body, taken.Body);
        Assert.Equal(failed.Headers["X-EE-Delivery"], taken.Headers["X-EE-Delivery"]);
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(taken.Headers["X-EE-Signature"].Split(',')[0]["t=".Length..]));
        Assert.Equal(WebhookSecrets.Sign(WebhookSecret, timestamp, taken.Body), taken.Headers["X-EE-Signature"]);
        Assert.Single(_stack.Telegram.Received);
    }

    [Fact]
    public async Task An_unknown_chat_is_a_configuration_error_not_retried_in_a_loop_and_its_text_holds_no_token()
    {
        _stack.Telegram.Chats.Clear();

        await RaiseAsync(("health:dns", AlertSeverity.Warning, "DMARC missing"));

        await Poll.UntilAsync(async () => (await AlertAsync("health:dns")).GetProperty("notifications")[0].GetProperty("last_error").ValueKind == JsonValueKind.String,
            Wait, "the failure is recorded");
        await Task.Delay(3000);
        Assert.Single(_stack.Telegram.Requests);
        var error = (await AlertAsync("health:dns")).GetProperty("notifications")[0].GetProperty("last_error").GetString()!;
        Assert.Contains("chat not found", error);
        Assert.Contains("ALERT_TELEGRAM_CHAT_ID", error);
        Assert.DoesNotContain(Token, error);
        Assert.Single(_stack.Webhook.Accepted); // the other channels were not held back
    }

    [Fact]
    public async Task A_group_that_became_a_supergroup_gets_the_message_at_its_new_id_and_keeps_getting_them()
    {
        _stack.Telegram.Migrate(Chat, "-1009876543210");

        await RaiseAsync(("health:warmup", AlertSeverity.Warning, "decisions late"));
        await Poll.UntilAsync(() => _stack.Telegram.Received.Count == 1, Wait, "the message reaches the supergroup");
        await RaiseAsync(("health:accounting", AlertSeverity.Warning, "pull late"));
        await Poll.UntilAsync(() => _stack.Telegram.Received.Count == 2, Wait, "the next one goes there directly");

        Assert.All(_stack.Telegram.Received, m => Assert.Equal("-1009876543210", m.ChatId));
        Assert.Equal(3, _stack.Telegram.Requests.Count);
        Assert.Single(_log.AtLeast(LogLevel.Warning), e => e.Message.Contains("-1009876543210") && e.Message.Contains("ALERT_TELEGRAM_CHAT_ID"));

        // A restart: a new channel, nothing in memory, the same ALERT_TELEGRAM_CHAT_ID. It goes to the supergroup at once.
        var restarted = ActivatorUtilities.CreateInstance<TelegramChannel>(_stack.Server.Services);
        Assert.Null(await restarted.TrySendAsync(new AlertMessage("health:dns", AlertSeverity.Warning, NotificationKind.Raised, "DNS", "SPF missing",
            DateTimeOffset.UtcNow), CancellationToken.None));
        Assert.Equal(4, _stack.Telegram.Requests.Count);
        Assert.Equal("-1009876543210", _stack.Telegram.Received[^1].ChatId);
        using var scope = _stack.Server.Services.CreateScope();
        var move = Assert.Single(scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<TelegramChatMove>());
        Assert.Equal((Chat, "-1009876543210"), (move.ChatId, move.MovedTo));
    }

    [Fact]
    public async Task Many_messages_due_at_once_go_as_one_digest()
    {
        await RaiseAsync(Enumerable.Range(1, 6).Select(i => ($"blocklist:203.0.113.{i}:psbl", AlertSeverity.Warning, "trap hits")).ToArray());

        await Poll.UntilAsync(() => _stack.Telegram.Received.Count >= 1 && _stack.Webhook.Accepted.Count >= 1, Wait, "the digest arrives");
        await Task.Delay(1500);
        var digest = Assert.Single(_stack.Telegram.Received);
        Assert.Contains("6 alert messages", digest.Text);
        Assert.Equal(6, digest.Text.Split('\n').Count(l => l.StartsWith("• [WARNING] Alert blocklist:203.0.113.")));
    }

    [Fact]
    public async Task The_test_endpoint_sends_to_every_channel_and_says_what_each_answered()
    {
        _stack.Telegram.FloodControl(retryAfterSeconds: 30);

        var response = await (await _stack.Client.PostAsync("/api/v1/alerts/test?severity=warning", null)).Content.ReadFromJsonAsync<JsonElement>();

        var results = response.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        Assert.False(results["telegram"].GetProperty("ok").GetBoolean());
        Assert.Contains("retry after 30", results["telegram"].GetProperty("error").GetString());
        Assert.True(results["webhook"].GetProperty("ok").GetBoolean());
        Assert.True(results["email"].GetProperty("ok").GetBoolean());
        Assert.Equal(400, (int)(await _stack.Client.PostAsync("/api/v1/alerts/test?channel=pager", null)).StatusCode);
    }
}
