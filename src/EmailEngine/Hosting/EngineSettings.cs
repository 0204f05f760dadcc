namespace EmailEngine.Hosting;

/// <summary>
/// The engine's configuration: the <c>.env</c> keys of <c>.env.example</c> plus the documented extras, read once at start.
/// Secrets (API_KEY, MAILWIZZ_API_KEY) are kept here only as needed and never logged.
/// </summary>
public sealed record EngineSettings
{
    /// <summary>Absolute directory the configuration and data belong to (see <see cref="SettingsLoader.Home"/>).</summary>
    public required string Home { get; init; }
    /// <summary>The <c>.env</c> file read, or null when the environment alone configured the engine.</summary>
    public string? DotEnvFile { get; init; }
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
    /// <summary>The largest contacts import file (<c>IMPORT_MAX_BYTES</c>; a tenant key may upload one).</summary>
    public long ImportMaxBytes { get; init; } = 1L << 30;
    /// <summary>The largest accounting upload (<c>ACCT_UPLOAD_MAX_BYTES</c>).</summary>
    public long AcctUploadMaxBytes { get; init; } = 1L << 30;

    /// <summary>
    /// The example key of <c>.env.example</c> and of the curl calls in the operator's V2 setup procedure, which
    /// <c>./run</c> writes into a fresh <c>.env</c>: everyone knows it.
    /// </summary>
    public const string RunbookApiKey = "email_engine_v2_key";

    /// <summary><c>LISTEN_ADDRESS</c>; null = by the key (see <see cref="ListenUrl"/>).</summary>
    public string? ListenAddress { get; init; }

    public bool UsesRunbookKey => ApiKey == RunbookApiKey;

    /// <summary>
    /// With that well-known key (<see cref="RunbookApiKey"/>) the API answers on loopback only, any other key on every
    /// interface, unless <c>LISTEN_ADDRESS</c> says otherwise (a container listens on its own interface; the compose
    /// file publishes it on the host's loopback).
    /// </summary>
    public string ListenUrl
    {
        get
        {
            var address = ListenAddress ?? (UsesRunbookKey ? "127.0.0.1" : "0.0.0.0");
            return $"http://{(address.Contains(':') ? $"[{address}]" : address)}:{HttpPort}";
        }
    }

    /// <summary>All raw key/value pairs (environment over .env), for feature options that read their own keys.</summary>
    public IReadOnlyDictionary<string, string> Raw { get; init; } = new Dictionary<string, string>();

    public string? Get(string key) => Raw.TryGetValue(key, out var value) && value.Length > 0 ? value : null;

    /// <summary>A whole number in [min, max], the fallback when unset; anything else stops the start naming the key.</summary>
    public int Whole(string key, int fallback, int min, int max = int.MaxValue) => Get(key) is not { } text
        ? fallback
        : int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ConfigurationError(key, $"expected a whole number from {min}{(max == int.MaxValue ? "" : $" to {max}")}");

    /// <summary>
    /// Every yes/no key reads the same way: <c>on</c>, <c>true</c>, <c>yes</c>, <c>1</c> or <c>off</c>, <c>false</c>,
    /// <c>no</c>, <c>0</c>; anything else stops the start naming the key.
    /// </summary>
    public bool Switch(string key, bool fallback) => Get(key)?.Trim().ToLowerInvariant() switch
    {
        null => fallback,
        "on" or "true" or "yes" or "1" => true,
        "off" or "false" or "no" or "0" => false,
        _ => throw new ConfigurationError(key, "expected on or off (true/false, yes/no, 1/0)"),
    };

    /// <summary>A path from the configuration: relative ones are anchored at <see cref="Home"/>, never the working directory.</summary>
    public string PathUnderHome(string path) => Path.GetFullPath(Path.Combine(Home, path));

    /// <summary>One line for the start-up log: where the configuration and the data come from (no secrets).</summary>
    public string DescribeSources() =>
        $"config from {DotEnvFile ?? $"the environment ({Path.Combine(Home, ".env")} not found)"}, database {Database.Describe()}, home {Home}";
}
