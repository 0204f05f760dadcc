using EmailEngine.Hosting;
using EmailEngine.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EmailEngine.Tests.Metrics;

/// <summary>The metrics and log-format keys: defaults, the separate listener, and values that stop the start.</summary>
public sealed class MetricsSettingsTests
{
    private static EngineSettings Settings(params (string Key, string Value)[] values)
    {
        var all = new Dictionary<string, string> { ["API_KEY"] = "a-key-of-our-own-0123456789" };
        foreach (var (key, value) in values)
            all[key] = value;
        return SettingsLoader.FromValues(all, "/srv/ee");
    }

    [Fact]
    public void Metrics_are_on_behind_the_key_with_no_separate_listener_by_default()
    {
        var options = MetricsOptions.From(Settings());
        Assert.True(options.Enabled);
        Assert.Null(options.ListenUrl);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Refresh);
        Assert.Null(options.OtlpEndpoint);
    }

    [Theory]
    [InlineData(null, "http://127.0.0.1:9464")]
    [InlineData("0.0.0.0", "http://0.0.0.0:9464")]
    [InlineData("::1", "http://[::1]:9464")]
    public void The_separate_listener_binds_loopback_unless_told_otherwise(string? address, string expected)
    {
        var settings = address is null ? Settings(("METRICS_PORT", "9464")) : Settings(("METRICS_PORT", "9464"), ("METRICS_LISTEN_ADDRESS", address));
        Assert.Equal(expected, MetricsOptions.From(settings).ListenUrl);
        Assert.Null(MetricsOptions.From(Settings(("METRICS_PORT", "9464"), ("METRICS", "off"))).ListenUrl);
    }

    [Theory]
    [InlineData("METRICS", "maybe")]
    [InlineData("METRICS_PORT", "70000")]
    [InlineData("METRICS_PORT", "8000")] // the API's own port
    [InlineData("METRICS_LISTEN_ADDRESS", "localhost")]
    [InlineData("METRICS_REFRESH_SECONDS", "0")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317")]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")]
    public void A_bad_value_stops_the_start_naming_its_key(string key, string value)
    {
        var error = Assert.Throws<ConfigurationError>(() => MetricsOptions.From(Settings((key, value))));
        Assert.Contains(key, error.Message);
    }

    [Theory]
    [InlineData(null, "simple")]
    [InlineData("text", "simple")]
    [InlineData("json", "json")]
    [InlineData("JSON", "json")]
    public void Log_format_picks_the_console_formatter(string? format, string formatter)
    {
        var settings = format is null ? Settings() : Settings(("LOG_FORMAT", format));
        using var services = new ServiceCollection().AddLogging(logging => logging.AddEngineConsole(settings)).BuildServiceProvider();
        Assert.Equal(formatter, services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public void An_unknown_log_format_stops_the_start()
    {
        var error = Assert.Throws<ConfigurationError>(() => new ServiceCollection().AddLogging(logging => logging.AddEngineConsole(Settings(("LOG_FORMAT", "xml")))));
        Assert.Contains("LOG_FORMAT", error.Message);
    }
}
