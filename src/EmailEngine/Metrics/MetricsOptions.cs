using System.Net;
using EmailEngine.Hosting;

namespace EmailEngine.Metrics;

/// <summary>
/// <c>METRICS</c> (on): OpenTelemetry meters and <c>/metrics</c> in Prometheus format, behind the operator key like the
/// API. <c>METRICS_PORT</c> (unset): also serve <c>/metrics</c> without a key on that port, bound to
/// <c>METRICS_LISTEN_ADDRESS</c> (127.0.0.1), for a Prometheus on the host or the compose network; nothing else answers
/// there. <c>METRICS_REFRESH_SECONDS</c> (15): how often the state behind the gauges is read from the database.
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (unset): also push metrics and traces (HTTP in and out, outbox runs, accounting
/// batches, deployments) to an OpenTelemetry collector, over <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (grpc, or http/protobuf).
/// </summary>
public sealed record MetricsOptions(bool Enabled, int? Port, IPAddress ListenAddress, TimeSpan Refresh, Uri? OtlpEndpoint, bool OtlpHttp)
{
    public const string Path = "/metrics";

    public static MetricsOptions From(EngineSettings settings)
    {
        var port = settings.Get("METRICS_PORT") is null ? (int?)null : settings.Whole("METRICS_PORT", 0, min: 1, max: 65535);
        var address = settings.Get("METRICS_LISTEN_ADDRESS") is { } text
            ? IPAddress.TryParse(text.Trim(), out var parsed) ? parsed : throw new ConfigurationError("METRICS_LISTEN_ADDRESS", "expected an IP address")
            : IPAddress.Loopback;
        if (port == settings.HttpPort)
            throw new ConfigurationError("METRICS_PORT", "must differ from PORT (the API's port)");
        Uri? otlp = null;
        if (settings.Get("OTEL_EXPORTER_OTLP_ENDPOINT") is { } endpoint
            && (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out otlp) || otlp.Scheme is not ("http" or "https")))
            throw new ConfigurationError("OTEL_EXPORTER_OTLP_ENDPOINT", "expected an http(s) URL");
        var protocol = settings.Get("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim().ToLowerInvariant();
        if (protocol is not (null or "grpc" or "http/protobuf"))
            throw new ConfigurationError("OTEL_EXPORTER_OTLP_PROTOCOL", "expected grpc or http/protobuf");
        return new(settings.Switch("METRICS", true), port, address, TimeSpan.FromSeconds(settings.Whole("METRICS_REFRESH_SECONDS", 15, min: 1)),
            otlp, protocol == "http/protobuf");
    }

    /// <summary>The separate listener's URL, or null.</summary>
    public string? ListenUrl => Enabled && Port is { } port
        ? $"http://{(ListenAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ListenAddress}]" : ListenAddress)}:{port}"
        : null;
}
