using EmailEngine.Hosting;

namespace EmailEngine.MailWizz;

/// <summary>
/// <c>MAILWIZZ_URL</c> (the API base, e.g. <c>https://host/api</c>) and <c>MAILWIZZ_API_KEY</c>; optional
/// <c>MAILWIZZ_TIMEOUT_SECONDS</c> (per attempt, 15), <c>MAILWIZZ_REQUESTS_PER_SECOND</c> (10) and
/// <c>MAILWIZZ_CHECK_SECONDS</c> (900; 0 = off: how often the engine looks for lists, templates and campaigns MailWizz lost).
/// </summary>
public sealed record MailWizzOptions
{
    public Uri? BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public int RequestsPerSecond { get; init; } = 10;
    public int MaxRetries { get; init; } = 3;
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(15);

    public bool IsConfigured => BaseUrl is not null && !string.IsNullOrEmpty(ApiKey);

    public static MailWizzOptions From(EngineSettings settings) => new()
    {
        BaseUrl = settings.MailWizzUrl,
        ApiKey = settings.MailWizzApiKey,
        AttemptTimeout = TimeSpan.FromSeconds(int.TryParse(settings.Get("MAILWIZZ_TIMEOUT_SECONDS"), out var t) && t > 0 ? t : 15),
        RequestsPerSecond = int.TryParse(settings.Get("MAILWIZZ_REQUESTS_PER_SECOND"), out var r) && r > 0 ? r : 10,
        CheckInterval = TimeSpan.FromSeconds(settings.Get("MAILWIZZ_CHECK_SECONDS") is not { } check ? 900
            : int.TryParse(check, out var c) && c >= 0 ? c : throw new ConfigurationError("MAILWIZZ_CHECK_SECONDS", "expected a whole number of seconds, 0 or more")),
    };

    public override string ToString() => $"MailWizzOptions {{ BaseUrl = {BaseUrl}, ApiKey = {(ApiKey is null ? "unset" : "***")} }}";
}
