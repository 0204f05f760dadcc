using System.Net;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace EmailEngine.MailWizz;

/// <summary>
/// Speaks MailWizz's wire format: PHP-style form bodies (<c>general[name]=…</c>), real PUT/DELETE plus
/// <c>X-HTTP-Method-Override</c> as the official SDK does, and the <c>{"status":"success"|"error", …}</c> envelope.
/// Every outcome becomes a value; resilience (retries, breaker, rate limit) sits in the HttpClient pipeline.
/// </summary>
public sealed class MailWizzTransport(HttpClient http)
{
    public async Task<MailWizzResult<JsonElement>> SendAsync(HttpMethod method, string path,
        IEnumerable<KeyValuePair<string, string>>? form = null, bool badRequestIsRefusal = false, CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (method != HttpMethod.Get)
        {
            request.Content = new FormUrlEncodedContent(form ?? []);
            if (method == HttpMethod.Put || method == HttpMethod.Delete)
                request.Headers.Add("X-HTTP-Method-Override", method.Method);
        }
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
            or RateLimiterRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return e switch
            {
                BrokenCircuitException => new MailWizzError(MailWizzErrorKind.Unavailable, Describe(e), HeldBack: true),
                RateLimiterRejectedException limited => new MailWizzError(MailWizzErrorKind.Unavailable, Describe(e), RetryAfter: limited.RetryAfter, HeldBack: true),
                _ => new MailWizzError(MailWizzErrorKind.Unavailable, Describe(e)),
            };
        }
        using (response)
        {
            var body = await ReadJsonAsync(response, ct);
            if (response.IsSuccessStatusCode && body is { } ok)
                return ok;
            return ToError(response, body, badRequestIsRefusal);
        }
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            return text.Length == 0 ? null : JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static MailWizzError ToError(HttpResponseMessage response, JsonElement? body, bool badRequestIsRefusal)
    {
        var (message, fields) = ParseError(body, response.ReasonPhrase ?? response.StatusCode.ToString());
        var kind = (int)response.StatusCode switch
        {
            400 => badRequestIsRefusal ? MailWizzErrorKind.Refused : MailWizzErrorKind.Auth, // MailWizz answers bad keys with 400
            401 => MailWizzErrorKind.Auth,
            403 => MailWizzErrorKind.Refused,
            404 => MailWizzErrorKind.NotFound,
            409 => MailWizzErrorKind.Conflict,
            422 => MailWizzErrorKind.Validation,
            408 or 429 or >= 500 => MailWizzErrorKind.Unavailable,
            _ when response.IsSuccessStatusCode => MailWizzErrorKind.Unavailable, // 2xx without a JSON envelope: a proxy page
            _ => MailWizzErrorKind.Refused,
        };
        var retryAfter = response.Headers.RetryAfter?.Delta
            ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return new MailWizzError(kind, message, fields, retryAfter);
    }

    /// <summary><c>"error": "msg"</c> or <c>{field: msg}</c> or <c>{group: {field: msg}}</c> → message + flat fields.</summary>
    private static (string Message, IReadOnlyDictionary<string, string>? Fields) ParseError(JsonElement? body, string fallback)
    {
        if (body is not { ValueKind: JsonValueKind.Object } root || !root.TryGetProperty("error", out var error))
            return (fallback, null);
        if (error.ValueKind == JsonValueKind.String)
            return (error.GetString()!, null);
        if (error.ValueKind != JsonValueKind.Object)
            return (fallback, null);
        var fields = new Dictionary<string, string>();
        foreach (var property in error.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
                foreach (var inner in property.Value.EnumerateObject())
                    fields[$"{property.Name}.{inner.Name}"] = inner.Value.ToString();
            else
                fields[property.Name] = property.Value.ToString();
        }
        return (string.Join("; ", fields.Values), fields);
    }

    private static string Describe(Exception e) => e switch
    {
        BrokenCircuitException => "MailWizz circuit open after repeated failures",
        RateLimiterRejectedException => "MailWizz client rate limit reached",
        TimeoutRejectedException or TaskCanceledException => "MailWizz did not answer in time",
        HttpRequestException { StatusCode: HttpStatusCode code } => $"MailWizz HTTP {(int)code}",
        _ => $"MailWizz unreachable: {e.Message}",
    };
}
