namespace EmailEngine.Hosting;

/// <summary>
/// The engine's configuration: the seed's <c>.env</c> keys plus a few documented extras, read once at start.
/// Secrets (API_KEY, MAILWIZZ_API_KEY) are kept here only as needed and never logged.
/// </summary>
public sealed record EngineSettings
{
    public required string ApiKey { get; init; }
    public required DatabaseTarget Database { get; init; }
    public string? RedisUrl { get; init; }
    public Uri? MailWizzUrl { get; init; }
    public string? MailWizzApiKey { get; init; }
    public string? PmtaSshHost { get; init; }
    public string PmtaConfigPath { get; init; } = "/etc/pmta/config";
    public int IpsCount { get; init; } = 5;
    public int HttpPort { get; init; } = 8000;
    public long MaxRequestBodyBytes { get; init; } = 1024 * 1024;

    /// <summary>All raw key/value pairs (environment over .env), for feature options that read their own keys.</summary>
    public IReadOnlyDictionary<string, string> Raw { get; init; } = new Dictionary<string, string>();

    public string? Get(string key) => Raw.TryGetValue(key, out var value) && value.Length > 0 ? value : null;
}
