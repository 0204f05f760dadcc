namespace PmtaStandIn.Daemon;

/// <summary>One accounting record: its type, its own fields, and the message headers `header_NAME` fields read from.</summary>
public sealed record AcctRecord(string Type, IReadOnlyDictionary<string, string> Fields, IReadOnlyList<MessageHeader> Headers)
{
    public string Value(string field)
    {
        if (field.StartsWith("header_", StringComparison.OrdinalIgnoreCase))
        {
            var name = field["header_".Length..];
            return Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value ?? "";
        }
        return Fields.TryGetValue(field, out var value) ? value : "";
    }
}

/// <summary>Record types and their `*` field lists (reference §2.2, §2.3).</summary>
public static class AccountingFields
{
    /// <summary>The d/b default order a v4.5/v5 install writes (§2.3); transient records use the same list.</summary>
    private static readonly string[] DeliveryFields =
    [
        "timeLogged", "timeQueued", "orig", "rcpt", "orcpt", "dsnAction", "dsnStatus", "dsnDiag", "dsnMta", "bounceCat", "srcType",
        "srcMta", "dlvType", "dlvSourceIp", "dlvDestinationIp", "dlvEsmtpAvailable", "dlvSize", "vmta", "jobId", "envId", "queue", "vmtaPool",
    ];

    private static readonly string[] FeedbackFields =
    [
        "timeLogged", "orig", "rcpt", "feedbackType", "format", "userAgent", "reportingMta", "reportedDomain", "repSourceIp", "vmta", "jobId", "envId",
    ];

    private static readonly string[] RemoteBounceFields =
    [
        "timeLogged", "orig", "rcpt", "dsnAction", "dsnStatus", "dsnDiag", "dsnReportingMta", "bounceCat", "vmta", "jobId", "envId",
    ];

    public static string ShortType(string name) => name.Trim().ToLowerInvariant() switch
    {
        "delivery" => "d",
        "bounce" => "b",
        "transient" => "t",
        "transient-queue" => "tq",
        "receipt" => "r",
        "feedback-loop" => "f",
        "remote-bounce" => "rb",
        "remote-status" => "rs",
        var shortName => shortName,
    };

    /// <summary>Expands a `record-fields` value such as `*,header_X-Foo,!orcpt` for one record type.</summary>
    public static List<string> Expand(string type, string spec)
    {
        var fields = new List<string>();
        foreach (var item in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item == "*")
                fields.AddRange(type switch { "f" => FeedbackFields, "rb" or "rs" => RemoteBounceFields, _ => DeliveryFields });
            else if (item.StartsWith('!'))
                fields.RemoveAll(f => f.Equals(item[1..], StringComparison.OrdinalIgnoreCase));
            else if (!item.Equals("type", StringComparison.OrdinalIgnoreCase))
                fields.Add(item);
        }
        return fields.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'+0000'", System.Globalization.CultureInfo.InvariantCulture);
}
