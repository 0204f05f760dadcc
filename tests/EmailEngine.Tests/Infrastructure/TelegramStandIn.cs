using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// Telegram's Bot API <c>sendMessage</c> on a loopback port, written from the Bot API reference (monitoring.md §3), not
/// from our client: the token is the path segment after <c>bot</c>; <c>chat_id</c> and <c>text</c> (1–4096 characters)
/// are required; <c>parse_mode: HTML</c> accepts only Telegram's tags, balanced, and the entities &amp;lt; &amp;gt;
/// &amp;amp; &amp;quot;; every answer is <c>{"ok":…}</c> with <c>error_code</c>, <c>description</c> and <c>parameters</c>
/// on failure. A test scripts failures: flood control (429 with <c>retry_after</c>), 5xx, 403, markup refused, a
/// supergroup migration, an answer that takes its time.
/// </summary>
public sealed partial class TelegramStandIn : IAsyncDisposable
{
    public sealed record Message(DateTimeOffset At, string ChatId, string Text, string? ParseMode, bool Silent);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<string, JsonElement, IResult?>> _script = new();
    private readonly ConcurrentQueue<Message> _received = new();
    private readonly ConcurrentQueue<DateTimeOffset> _requests = new();

    private TelegramStandIn(WebApplication app, string token, HashSet<string> chats) => (_app, Token, Chats) = (app, token, chats);

    public string Token { get; }
    /// <summary>The chats the bot is a member of.</summary>
    public HashSet<string> Chats { get; }
    public string ApiBase { get; private set; } = "";
    public IReadOnlyList<Message> Received => [.. _received];
    public IReadOnlyList<DateTimeOffset> Requests => [.. _requests];

    public void FloodControl(int retryAfterSeconds, int times = 1)
    {
        for (var i = 0; i < times; i++)
            _script.Enqueue((_, _) => Error(429, $"Too Many Requests: retry after {retryAfterSeconds}", new { retry_after = retryAfterSeconds }));
    }

    public void ServerError(int times = 1)
    {
        for (var i = 0; i < times; i++)
            _script.Enqueue((_, _) => Error(502, "Bad Gateway"));
    }

    /// <summary>Telegram's answer when the bot was removed from the chat (or blocked by the user).</summary>
    public void Forbidden(string description = "Forbidden: bot is not a member of the channel chat") =>
        _script.Enqueue((_, _) => Error(403, description));

    /// <summary>The next HTML message is refused as if its markup were wrong (a plain-text one goes through).</summary>
    public void RefuseMarkup() =>
        _script.Enqueue((_, body) => body.TryGetProperty("parse_mode", out JsonElement _)
            ? Error(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0") : null);

    /// <summary>The next request gets its answer only after <paramref name="delay"/>.</summary>
    public void Stall(TimeSpan delay) => _script.Enqueue((_, _) => new Stalled(delay));

    /// <summary>The group <paramref name="from"/> became the supergroup <paramref name="to"/>.</summary>
    public void Migrate(string from, string to)
    {
        Chats.Remove(from);
        Chats.Add(to);
        _script.Enqueue((chat, _) => chat == from ? Error(400, "Bad Request: group chat was upgraded to a supergroup chat", new { migrate_to_chat_id = long.Parse(to) }) : null);
    }

    public static async Task<TelegramStandIn> StartAsync(string token, params string[] chats)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var standIn = new TelegramStandIn(app, token, [.. chats]);
        app.MapPost("/bot{token}/{method}", standIn.HandleAsync);
        await app.StartAsync();
        standIn.ApiBase = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return standIn;
    }

    private async Task<IResult> HandleAsync(string token, string method, HttpRequest request)
    {
        _requests.Enqueue(DateTimeOffset.UtcNow);
        if (token != Token)
            return Error(401, "Unauthorized");
        if (!method.Equals("sendMessage", StringComparison.OrdinalIgnoreCase))
            return Error(404, "Not Found");
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
        }
        catch (JsonException)
        {
            return Error(400, "Bad Request: invalid JSON");
        }
        var chat = body.TryGetProperty("chat_id", out var c) ? c.ValueKind == JsonValueKind.Number ? c.GetRawText() : c.GetString() : null;
        if (string.IsNullOrEmpty(chat))
            return Error(400, "Bad Request: chat_id is empty");
        var text = body.TryGetProperty("text", out var t) ? t.GetString() : null;
        if (string.IsNullOrEmpty(text))
            return Error(400, "Bad Request: message text is empty");
        if (_script.TryPeek(out _) && _script.TryDequeue(out var scripted) && scripted(chat, body) is { } failure)
            return failure;
        if (!Chats.Contains(chat))
            return Error(400, "Bad Request: chat not found");
        var parseMode = body.TryGetProperty("parse_mode", out var p) ? p.GetString() : null;
        var visible = parseMode == "HTML" ? VisibleText(text) : text;
        if (visible is null)
            return Error(400, "Bad Request: can't parse entities: unsupported start tag or unmatched end tag");
        if (visible.Length > 4096)
            return Error(400, "Bad Request: message is too long");
        var silent = body.TryGetProperty("disable_notification", out var s) && s.ValueKind == JsonValueKind.True;
        _received.Enqueue(new Message(DateTimeOffset.UtcNow, chat, text, parseMode, silent));
        return Results.Json(new { ok = true, result = new { message_id = _received.Count, chat = new { id = chat }, text = visible } });
    }

    /// <summary>The text Telegram shows for HTML markup, or null when the markup does not parse.</summary>
    private static string? VisibleText(string html)
    {
        var open = new Stack<string>();
        foreach (Match tag in Tag().Matches(html))
        {
            var name = tag.Groups[2].Value.ToLowerInvariant();
            if (!AllowedTags.Contains(name))
                return null;
            if (tag.Groups[1].Value == "/")
            {
                if (open.Count == 0 || open.Pop() != name)
                    return null;
            }
            else
                open.Push(name);
        }
        if (open.Count > 0)
            return null;
        var text = Tag().Replace(html, "");
        if (BadAmpersand().IsMatch(text) || text.Contains('<') || text.Contains('>'))
            return null;
        return WebUtility.HtmlDecode(text);
    }

    private static readonly HashSet<string> AllowedTags = ["b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "blockquote", "tg-spoiler", "span"];

    [GeneratedRegex(@"<(/?)([a-zA-Z-]+)(\s[^<>]*)?>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"&(?!(lt|gt|amp|quot|#\d+);)")]
    private static partial Regex BadAmpersand();

    private static IResult Error(int code, string description, object? parameters = null) =>
        Results.Json(parameters is null ? new { ok = false, error_code = code, description } : new { ok = false, error_code = code, description, parameters }, statusCode: code);

    private sealed class Stalled(TimeSpan delay) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Error(504, "Gateway Timeout").ExecuteAsync(context);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
