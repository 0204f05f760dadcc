using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EmailEngine.Common;

namespace EmailEngine.Alerts;

/// <summary>
/// Telegram's Bot API <c>sendMessage</c> (the operator's reference §3): HTML parse mode with <c>&amp; &lt; &gt;</c>
/// escaped, at most 4096 characters, link previews off, info alerts silent. A 429 is not a failure: its
/// <c>retry_after</c> says when the same message may be sent again. A group that became a supergroup answers
/// <c>migrate_to_chat_id</c>: the message goes there and so do the next ones, also after a restart
/// (<see cref="ITelegramChatMoves"/>). Markup Telegram cannot parse is sent
/// again as plain text. A bad token or an unknown chat is permanent until the configuration changes. The token is part
/// of the URL path, so the HTTP client logs nothing and no error quotes the URL.
/// Requests to the chat are at least <see cref="MinGap"/> apart (about one message a second per chat), and after a 429
/// no request goes out before its <c>retry_after</c> has passed: messages that come meanwhile are told to wait as well.
/// </summary>
public sealed partial class TelegramChannel(IHttpClientFactory http, TelegramSettings settings, ITelegramChatMoves moves, TimeProvider clock,
    ILogger<TelegramChannel> logger) : IAlertChannel
{
    public const string HttpClientName = "alerts-telegram";
    public const int MaxLength = 4096;
    public static readonly TimeSpan MinGap = TimeSpan.FromMilliseconds(1100);

    /// <summary>Subjects and keys longer than this are cut, so that the body always keeps room.</summary>
    private const int MaxLine = 300;

    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>The configured chat, or where it moved; read at the first message.</summary>
    private string? _chatId;
    private DateTimeOffset _nextRequestAt = DateTimeOffset.MinValue;
    private DateTimeOffset _floodUntil = DateTimeOffset.MinValue;

    public string Name => "telegram";

    public async Task SendAsync(AlertMessage message, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await SendOneAsync(message, ct);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task SendOneAsync(AlertMessage message, CancellationToken ct)
    {
        if (_floodUntil - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero)
            throw FloodControl(TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds)));
        _chatId ??= await moves.FindAsync(settings.ChatId, ct) ?? settings.ChatId;
        var silent = message.Severity == AlertSeverity.Info;
        var answer = await PostAsync(Html(message), html: true, silent, ct);
        if (answer.Description?.Contains("can't parse entities", StringComparison.OrdinalIgnoreCase) == true)
            answer = await PostAsync(Plain(message), html: false, silent, ct);
        if (answer.MigrateTo is { } chat)
        {
            logger.LogWarning("Telegram chat {Chat} became the supergroup {NewChat}: alerts go there now, also after a restart; set ALERT_TELEGRAM_CHAT_ID to it when convenient",
                _chatId, chat);
            _chatId = chat;
            try
            {
                await moves.SaveAsync(settings.ChatId, chat, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The message still goes to the new chat; only a restart would forget it.
                logger.LogError(e, "Telegram chat {NewChat} could not be kept: set ALERT_TELEGRAM_CHAT_ID to it before the next restart", chat);
            }
            answer = await PostAsync(Html(message), html: true, silent, ct);
        }
        if (answer.Ok)
            return;
        if (answer.Status == HttpStatusCode.TooManyRequests)
        {
            _floodUntil = clock.GetUtcNow() + answer.RetryAfter;
            throw FloodControl(answer.RetryAfter);
        }
        throw answer.Status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.NotFound =>
                new AlertChannelException($"Telegram refused the bot token ({(int)answer.Status}: {answer.Description}): check ALERT_TELEGRAM_BOT_TOKEN", permanent: true),
            HttpStatusCode.Forbidden or HttpStatusCode.BadRequest => new AlertChannelException(
                $"Telegram refused the message ({(int)answer.Status}: {answer.Description}): check ALERT_TELEGRAM_CHAT_ID and that the bot is a member of that chat",
                permanent: true),
            _ => new AlertChannelException($"Telegram answered {(int)answer.Status}: {answer.Description}"),
        };
    }

    private static AlertChannelException FloodControl(TimeSpan wait) => new($"Telegram: flood control, retry after {wait.TotalSeconds:F0} s", wait);

    private sealed record Answer(bool Ok, HttpStatusCode Status, string? Description, TimeSpan RetryAfter, string? MigrateTo);

    private async Task<Answer> PostAsync(string text, bool html, bool silent, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["chat_id"] = long.TryParse(_chatId, out var id) ? JsonValue.Create(id) : JsonValue.Create(_chatId),
            ["text"] = text,
            ["link_preview_options"] = new JsonObject { ["is_disabled"] = true },
            ["disable_notification"] = silent,
        };
        if (html)
            body["parse_mode"] = "HTML";
        if (_nextRequestAt - clock.GetUtcNow() is var gap && gap > TimeSpan.Zero)
            await Task.Delay(gap, clock, ct);
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).PostAsJsonAsync($"{settings.ApiBase.TrimEnd('/')}/bot{settings.Token}/sendMessage", body, ct);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            // Whatever it is, its text may quote the URL, which holds the token: say what happened, not where.
            throw new AlertChannelException(e is TaskCanceledException ? "Telegram did not answer in time" : $"Telegram could not be reached ({e.GetType().Name})");
        }
        finally
        {
            _nextRequestAt = clock.GetUtcNow() + MinGap;
        }
        using (response)
        {
            JsonElement json = default;
            try
            {
                json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            }
            catch (JsonException)
            {
            }
            var ok = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
            var description = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("description", out var d) ? d.GetString() : response.ReasonPhrase;
            var parameters = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("parameters", out var p) ? p : default;
            var retryAfter = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : RetryAfterText().Match(description ?? "") is { Success: true } m ? TimeSpan.FromSeconds(int.Parse(m.Groups[1].Value)) : TimeSpan.FromSeconds(30);
            var migrateTo = parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("migrate_to_chat_id", out var chat) ? chat.GetRawText() : null;
            return new(ok && response.IsSuccessStatusCode, response.StatusCode, description, retryAfter, migrateTo);
        }
    }

    [GeneratedRegex(@"retry after (\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex RetryAfterText();

    /// <summary>Bold subject (✅ first when resolved), then the body; only &amp;, &lt; and &gt; need escaping in Telegram's HTML.</summary>
    public static string Html(AlertMessage message) =>
        Fit($"<b>{Escape(Subject(message))}</b>\n", Escape(message.Body), "\n<i>" + Escape(TextCut.Ellipsis(message.Key, MaxLine)) + "</i>");

    public static string Plain(AlertMessage message) => Fit($"{Subject(message)}\n", message.Body, $"\n{TextCut.Ellipsis(message.Key, MaxLine)}");

    private static string Subject(AlertMessage message) => (message.Resolved ? "✅ " : "") + TextCut.Ellipsis(message.Subject, MaxLine);

    /// <summary>Cuts the body so that the whole text stays within Telegram's 4096 characters.</summary>
    private static string Fit(string head, string body, string tail)
    {
        var room = MaxLength - head.Length - tail.Length;
        if (body.Length <= room)
            return head + body + tail;
        var end = room - 1;
        var entity = body.LastIndexOf('&', end - 1);
        if (entity >= 0 && body.IndexOf(';', entity, end - entity) < 0)
            end = entity; // never cut an escape in half
        return head + TextCut.At(body, end) + tail;
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary><c>ALERT_TELEGRAM_BOT_TOKEN</c>, <c>ALERT_TELEGRAM_CHAT_ID</c>, <c>ALERT_TELEGRAM_API</c> (https://api.telegram.org).</summary>
public sealed record TelegramSettings(string Token, string ChatId, string ApiBase)
{
    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"TelegramSettings {{ ChatId = {ChatId}, ApiBase = {ApiBase} }}";
}
