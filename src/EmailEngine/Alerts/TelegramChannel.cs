using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EmailEngine.Alerts;

/// <summary>
/// Telegram's Bot API <c>sendMessage</c> (the operator's reference §3): HTML parse mode with <c>&amp; &lt; &gt;</c>
/// escaped, at most 4096 characters, link previews off, info alerts silent. A 429 is not a failure: its
/// <c>retry_after</c> says when the same message may be sent again. A group that became a supergroup answers
/// <c>migrate_to_chat_id</c>: the message goes there and so do the next ones. Markup Telegram cannot parse is sent
/// again as plain text. A bad token or an unknown chat is permanent until the configuration changes. The token is part
/// of the URL path, so the HTTP client logs nothing and no error quotes the URL.
/// </summary>
public sealed partial class TelegramChannel(IHttpClientFactory http, TelegramSettings settings) : IAlertChannel
{
    public const string HttpClientName = "alerts-telegram";
    public const int MaxLength = 4096;
    private string _chatId = settings.ChatId;

    public string Name => "telegram";

    public async Task SendAsync(AlertMessage message, CancellationToken ct)
    {
        var answer = await PostAsync(Html(message), html: true, message.Severity == AlertSeverity.Info, ct);
        if (answer.Description?.Contains("can't parse entities", StringComparison.OrdinalIgnoreCase) == true)
            answer = await PostAsync(Plain(message), html: false, message.Severity == AlertSeverity.Info, ct);
        if (answer.MigrateTo is { } chat)
        {
            _chatId = chat;
            answer = await PostAsync(Html(message), html: true, message.Severity == AlertSeverity.Info, ct);
        }
        if (answer.Ok)
            return;
        throw answer.Status switch
        {
            HttpStatusCode.TooManyRequests => new AlertChannelException($"Telegram: flood control, retry after {answer.RetryAfter.TotalSeconds:F0} s", answer.RetryAfter),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.BadRequest or HttpStatusCode.NotFound =>
                new AlertChannelException($"Telegram refused the message ({(int)answer.Status}: {answer.Description}): check ALERT_TELEGRAM_BOT_TOKEN and ALERT_TELEGRAM_CHAT_ID", permanent: true),
            _ => new AlertChannelException($"Telegram answered {(int)answer.Status}: {answer.Description}"),
        };
    }

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
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(HttpClientName).PostAsJsonAsync($"{settings.ApiBase.TrimEnd('/')}/bot{settings.Token}/sendMessage", body, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            // The exception text may quote the URL, which holds the token: say what happened, not where.
            throw new AlertChannelException(e is TaskCanceledException ? "Telegram did not answer in time" : $"Telegram could not be reached ({e.GetType().Name})");
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

    /// <summary>Bold subject, then the body; only &amp;, &lt; and &gt; need escaping in Telegram's HTML.</summary>
    public static string Html(AlertMessage message) => Fit($"<b>{Escape(message.Subject)}</b>\n", Escape(message.Body), "\n<i>" + Escape(message.Key) + "</i>");

    public static string Plain(AlertMessage message) => Fit($"{message.Subject}\n", message.Body, $"\n{message.Key}");

    /// <summary>Cuts the body so that the whole text stays within Telegram's 4096 characters.</summary>
    private static string Fit(string head, string body, string tail)
    {
        var room = MaxLength - head.Length - tail.Length;
        if (body.Length > room)
        {
            body = body[..Math.Max(0, room - 1)];
            var entity = body.LastIndexOf('&');
            if (entity >= 0 && body.IndexOf(';', entity) < 0)
                body = body[..entity]; // never cut an escape in half
            body += "…";
        }
        return head + body + tail;
    }

    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary><c>ALERT_TELEGRAM_BOT_TOKEN</c>, <c>ALERT_TELEGRAM_CHAT_ID</c>, <c>ALERT_TELEGRAM_API</c> (https://api.telegram.org).</summary>
public sealed record TelegramSettings(string Token, string ChatId, string ApiBase)
{
    /// <summary>Never prints the token.</summary>
    public override string ToString() => $"TelegramSettings {{ ChatId = {ChatId}, ApiBase = {ApiBase} }}";
}
