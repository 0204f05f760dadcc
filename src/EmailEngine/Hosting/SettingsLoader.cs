using System.Collections;
using System.Globalization;

namespace EmailEngine.Hosting;

/// <summary>Invalid configuration: one line naming the key, shown at start-up instead of a stack trace.</summary>
public sealed class ConfigurationError(string key, string problem) : Exception($"Invalid configuration: {key}: {problem}")
{
    public string Key { get; } = key;
}

public static class SettingsLoader
{
    public const string HomeVariable = "EMAIL_ENGINE_HOME";

    /// <summary>
    /// The engine's home: <c>EMAIL_ENGINE_HOME</c> when set (<c>./run</c> sets it to its own directory), else the working
    /// directory. The service and every CLI verb read <c>.env</c> there and keep their data under its <c>data/</c>.
    /// </summary>
    public static string Home(IReadOnlyDictionary<string, string> environment) =>
        Path.GetFullPath(environment.TryGetValue(HomeVariable, out var home) && home.Trim().Length > 0 ? home.Trim() : Directory.GetCurrentDirectory());

    /// <summary>The home this process runs with.</summary>
    public static string Home() => Home(ProcessEnvironment());

    /// <summary>Reads the process environment over an optional <c>.env</c> file in the engine's home.</summary>
    public static EngineSettings Load()
    {
        var environment = ProcessEnvironment();
        var home = Home(environment);
        var dotEnvPath = Path.Combine(home, ".env");
        return FromValues(Merge(ReadDotEnv(dotEnvPath), environment), home) with { DotEnvFile = File.Exists(dotEnvPath) ? dotEnvPath : null };
    }

    private static Dictionary<string, string> ProcessEnvironment() => Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
        .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? "");

    public static IReadOnlyDictionary<string, string> ReadDotEnv(string path)
    {
        if (!File.Exists(path))
            return new Dictionary<string, string>();
        // NoEnvVars: read the pairs without touching this process's environment; environment wins in Merge.
        return DotNetEnv.Env.NoEnvVars().Load(path)
            .GroupBy(pair => pair.Key).ToDictionary(g => g.Key, g => g.Last().Value);
    }

    public static IReadOnlyDictionary<string, string> Merge(
        IReadOnlyDictionary<string, string> dotEnv, IReadOnlyDictionary<string, string> environment)
    {
        var merged = new Dictionary<string, string>(dotEnv);
        foreach (var (key, value) in environment)
            merged[key] = value;
        return merged;
    }

    /// <param name="home">Where relative paths (SQLite files, imports) are anchored; the working directory when null.</param>
    public static EngineSettings FromValues(IReadOnlyDictionary<string, string> values, string? home = null)
    {
        home = Path.GetFullPath(home ?? Directory.GetCurrentDirectory());
        string? Value(string key) => values.TryGetValue(key, out var v) && v.Trim().Length > 0 ? v.Trim() : null;

        var apiKey = Value("API_KEY") ?? throw new ConfigurationError("API_KEY",
            "required: the operator key clients send in X-API-KEY (e.g. API_KEY=email_engine_v2_key)");
        if (apiKey.Length < 8)
            throw new ConfigurationError("API_KEY", "must be at least 8 characters");

        var database = DatabaseTarget.EmbeddedDefault(home);
        if (Value("DATABASE_URL") is { } url && !DatabaseTarget.TryParseUrl(url, home, out database, out var dbError))
            throw new ConfigurationError("DATABASE_URL", dbError);

        var redis = Value("REDIS_URL");
        if (redis is not null && !RedisUrl.TryParse(redis, out _, out var redisError))
            throw new ConfigurationError("REDIS_URL", redisError);

        Uri? mailWizzUrl = null;
        if (Value("MAILWIZZ_URL") is { } mw &&
            (!Uri.TryCreate(mw, UriKind.Absolute, out mailWizzUrl) || mailWizzUrl.Scheme is not ("http" or "https")))
            throw new ConfigurationError("MAILWIZZ_URL", "expected an http(s) URL such as https://mailwizz.example.com/api");

        return new EngineSettings
        {
            Home = home,
            ApiKey = apiKey,
            Database = database!,
            RedisUrl = redis,
            MailWizzUrl = mailWizzUrl,
            MailWizzApiKey = Value("MAILWIZZ_API_KEY"),
            PmtaSshHost = Value("PMTA_SSH_HOST"),
            PmtaConfigPath = Value("PMTA_CONFIG_PATH") ?? "/etc/pmta/config",
            IpsCount = PositiveInt(Value("IPS_COUNT"), "IPS_COUNT", 5, max: 10_000),
            HttpPort = PositiveInt(Value("PORT"), "PORT", 8000, max: 65_535),
            ListenAddress = Value("LISTEN_ADDRESS") is { } address
                ? System.Net.IPAddress.TryParse(address, out var parsed) ? parsed.ToString()
                    : throw new ConfigurationError("LISTEN_ADDRESS", "expected an IP address such as 127.0.0.1 or 0.0.0.0")
                : null,
            MaxRequestBodyBytes = PositiveInt(Value("MAX_REQUEST_BODY_BYTES"), "MAX_REQUEST_BODY_BYTES", 1024 * 1024, max: int.MaxValue),
            ImportMaxBytes = PositiveLong(Value("IMPORT_MAX_BYTES"), "IMPORT_MAX_BYTES", 1L << 30),
            AcctUploadMaxBytes = PositiveLong(Value("ACCT_UPLOAD_MAX_BYTES"), "ACCT_UPLOAD_MAX_BYTES", 1L << 30),
            Raw = values,
        };
    }

    private static int PositiveInt(string? value, string key, int fallback, int max)
    {
        if (value is null)
            return fallback;
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1 || number > max)
            throw new ConfigurationError(key, $"expected a whole number from 1 to {max}, got '{value}'");
        return number;
    }

    private static long PositiveLong(string? value, string key, long fallback)
    {
        if (value is null)
            return fallback;
        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            throw new ConfigurationError(key, $"expected a whole number of bytes, 1 or more, got '{value}'");
        return number;
    }
}
