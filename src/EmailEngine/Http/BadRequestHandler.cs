using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace EmailEngine.Http;

/// <summary>
/// Turns the framework's bad-request exceptions (malformed JSON, wrong JSON types, missing or oversized body)
/// into problem details naming the field or position, as well as text no column takes
/// (<see cref="Data.TextRefusedException"/>). Anything else is a bug: logged, answered 500 without details.
/// </summary>
internal sealed class BadRequestHandler(ILogger<BadRequestHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is Data.TextRefusedException unstorable)
        {
            await Problems.WriteAsync(context, 400, "Text refused", unstorable.Message,
                new Dictionary<string, string[]> { [unstorable.Field] = [unstorable.Message] });
            return true;
        }

        if (exception is not BadHttpRequestException bad)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await Problems.WriteAsync(context, 500, "Unexpected failure", "The server failed to process the request; it has been logged.");
            return true;
        }

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await Problems.WriteAsync(context, 413, "Payload too large", bad.Message);
            return true;
        }

        if (bad.InnerException is ControlCharacterException refused)
        {
            var field = FieldFromPath(refused.Path);
            var message = $"'{field}' {refused.Message}";
            await Problems.WriteAsync(context, 400, "Control character in text", message, new Dictionary<string, string[]> { [field] = [message] });
            return true;
        }

        if (bad.InnerException is JsonException json)
        {
            var wrongType = json.Message.Contains("could not be converted", StringComparison.Ordinal);
            var field = wrongType ? FieldFromPath(json.Path) : "body";
            var message = Describe(json, wrongType);
            var errors = new Dictionary<string, string[]> { [field] = [message] };
            await Problems.WriteAsync(context, 400, "Malformed JSON", message, errors);
            return true;
        }

        var detail = bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase)
            ? "A JSON body is required."
            : bad.Message;
        await Problems.WriteAsync(context, bad.StatusCode, "Bad request", detail,
            new Dictionary<string, string[]> { ["body"] = [detail] });
        return true;
    }

    /// <summary><c>$.status</c> → <c>status</c>; <c>$.tags[2]</c> → <c>tags[2]</c>; unknown → <c>body</c>.</summary>
    internal static string FieldFromPath(string? path) =>
        path is null or "$" or "" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>The framework's own message names CLR types; say what the client needs instead.</summary>
    private static string Describe(JsonException json, bool wrongType)
    {
        var position = json.LineNumber is { } line
            ? $" at line {line + 1}, position {(json.BytePositionInLine ?? 0) + 1}"
            : "";
        return wrongType
            ? $"'{FieldFromPath(json.Path)}' has the wrong JSON type{position} (expected a string, number or list as documented)."
            : $"The body is not valid JSON{position}.";
    }
}
