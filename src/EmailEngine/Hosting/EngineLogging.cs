namespace EmailEngine.Hosting;

/// <summary>
/// <c>LOG_FORMAT</c>: <c>text</c> (default: one line per event, as before) or <c>json</c> (one JSON object per line, UTC
/// ISO 8601 timestamps, the message template's values as fields, scopes included: for Loki, Elasticsearch, journald…).
/// </summary>
public static class EngineLogging
{
    public static ILoggingBuilder AddEngineConsole(this ILoggingBuilder logging, EngineSettings settings) =>
        settings.Get("LOG_FORMAT")?.Trim().ToLowerInvariant() switch
        {
            null or "text" => logging.AddSimpleConsole(console => { console.SingleLine = true; console.TimestampFormat = "HH:mm:ss "; }),
            "json" => logging.AddJsonConsole(console =>
            {
                console.UseUtcTimestamp = true;
                console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                console.IncludeScopes = true;
            }),
            _ => throw new ConfigurationError("LOG_FORMAT", "expected text or json"),
        };
}
