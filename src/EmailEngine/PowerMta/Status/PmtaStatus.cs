using System.Text.Json;

namespace EmailEngine.PowerMta.Status;

/// <summary>
/// What PowerMTA's <c>GET /status?format=json</c> says about load (reference §3.2): recipients and domains queued for
/// SMTP delivery, open SMTP connections each way, and the last hour's traffic in recipients.
/// </summary>
public sealed record PmtaStatus(long QueuedRecipients, long QueuedDomains, long SmtpOut, long SmtpIn, long LastHourOut, long LastHourIn)
{
    /// <summary>Reads the answer's <c>data.status</c>; an answer without <c>"status":"success"</c> or a field is a <see cref="FormatException"/> naming it.</summary>
    public static PmtaStatus Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out var outcome) || outcome.ValueKind != JsonValueKind.String
            || outcome.GetString() != "success")
            throw new FormatException($"/status did not answer \"status\":\"success\" ({Common.TextCut.Ellipsis(json, 200)})");
        return new PmtaStatus(
            Number(root, "queue", "smtp", "rcp"), Number(root, "queue", "smtp", "dom"),
            Number(root, "conn", "smtpOut", "cur"), Number(root, "conn", "smtpIn", "cur"),
            Number(root, "traffic", "lastHr", "out", "rcp"), Number(root, "traffic", "lastHr", "in", "rcp"));
    }

    private static long Number(JsonElement root, params string[] path)
    {
        var element = root;
        foreach (var name in (string[])["data", "status", .. path])
            element = element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var next) ? next : default;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var number) ? number
            : throw new FormatException($"/status has no whole number at data.status.{string.Join('.', path)}");
    }
}
