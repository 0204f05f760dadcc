using EmailEngine.Hosting;

namespace EmailEngine.MailWizz;

/// <summary>
/// <c>MAILWIZZ_URL</c> (the API base, e.g. <c>https://host/api</c>) and <c>MAILWIZZ_API_KEY</c>; optional
/// <c>MAILWIZZ_TIMEOUT_SECONDS</c> (per attempt, 15), <c>MAILWIZZ_REQUESTS_PER_SECOND</c> (10) and
/// <c>MAILWIZZ_CHECK_SECONDS</c> (900; 0 = off: how often the engine looks for lists, templates and campaigns MailWizz lost),
/// <c>MAILWIZZ_BULK_MAX</c> (10,000, MailWizz's own limit: the most subscribers in one bulk call, an import's batches and
/// new contacts pushed together alike; a MailWizz whose PHP time or memory limit cannot take 10,000 rows in one request
/// needs less).
/// </summary>
public sealed record MailWizzOptions
{
    public Uri? BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public int RequestsPerSecond { get; init; } = 10;
    public int MaxRetries { get; init; } = 3;
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(15);
    public int BulkMax { get; init; } = MailWizzClient.BulkLimit;

    public bool IsConfigured => BaseUrl is not null && !string.IsNullOrEmpty(ApiKey);

    public static MailWizzOptions From(EngineSettings settings) => new()
    {
        BaseUrl = settings.MailWizzUrl,
        ApiKey = settings.MailWizzApiKey,
        AttemptTimeout = TimeSpan.FromSeconds(settings.Whole("MAILWIZZ_TIMEOUT_SECONDS", 15, min: 1)),
        RequestsPerSecond = settings.Whole("MAILWIZZ_REQUESTS_PER_SECOND", 10, min: 1),
        CheckInterval = TimeSpan.FromSeconds(settings.Whole("MAILWIZZ_CHECK_SECONDS", 900, min: 0)),
        BulkMax = settings.Whole("MAILWIZZ_BULK_MAX", MailWizzClient.BulkLimit, min: 1, max: MailWizzClient.BulkLimit),
    };

    public override string ToString() => $"MailWizzOptions {{ BaseUrl = {BaseUrl}, ApiKey = {(ApiKey is null ? "unset" : "***")} }}";
}
