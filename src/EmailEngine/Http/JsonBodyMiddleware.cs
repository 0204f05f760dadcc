using Microsoft.Net.Http.Headers;

namespace EmailEngine.Http;

/// <summary>
/// The operator's setup commands are curl calls that send JSON with <c>-d</c> and no Content-Type, so curl labels it
/// <c>application/x-www-form-urlencoded</c>. API bodies are always JSON: relabel such requests so the JSON
/// binder reads them; a body that is not JSON then fails with a clear 400, never a 415.
/// </summary>
internal sealed class JsonBodyMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api") && HasBody(request) && IsRelabelable(request.ContentType))
            request.ContentType = "application/json";
        return next(context);
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    private static bool IsRelabelable(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
            return true;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            return true;
        return media.MediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }
}
