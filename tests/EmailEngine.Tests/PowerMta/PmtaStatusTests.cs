using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.PowerMta.Status;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizzStandIn;
using EmailEngine.Tests.Metrics;
using EmailEngine.Tests.PmtaStandIn;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.PowerMta;

/// <summary>
/// PowerMTA watched through its management port: the engine reads the stand-in daemon's <c>/status</c> through a port
/// forward of the real test sshd, exposes its queue and connections as gauges, and opens (then resolves) one alert per
/// cause: the host unreachable, its queue too long; each resolved when its cause clears.
/// </summary>
[Trait("Category", "Ssh")]
public sealed class PmtaStatusTests
{
    /// <summary>One recipient an hour to slow.test (in real time: speed 1): the rest of a batch stays queued.</summary>
    private const string Config = """
        <source 127.0.0.1>
            always-allow-relaying yes
        </source>
        <domain slow.test>
            max-msg-rate 1/h
        </domain>
        """;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static Dictionary<string, string> Settings(PmtaHost host, PmtaDaemon daemon, Dictionary<string, string> extra)
    {
        var settings = host.EngineSettings();
        settings["PMTA_MGMT_PORT"] = daemon.MgmtPort.ToString();
        foreach (var (key, value) in extra)
            settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task The_poller_reads_the_status_through_the_ssh_tunnel_exposes_the_gauges_and_alerts_on_a_long_queue()
    {
        using var host = new PmtaHost();
        await using var daemon = await PmtaDaemon.StartAsync(Config, speed: 1);
        await daemon.SendManyAsync(Enumerable.Range(0, 5).Select(i => ($"user{i}@slow.test", (Dictionary<string, string>?)null)));
        await Poll.UntilAsync(async () => await QueuedAsync(daemon) == 4, Wait, "the first recipient to leave");
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: Settings(host, daemon, new()
        {
            ["PMTA_STATUS_SECONDS"] = "1", ["PMTA_QUEUE_ALERT_RECIPIENTS"] = "3",
        }));
        using var client = engine.Client();

        PrometheusText metrics = null!;
        await Poll.UntilAsync(async () => (metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"))).Series("ee_pmta_queue_recipients").Any(),
            Wait, "the first status read");

        Assert.Equal(1, metrics.Value("ee_pmta_status_up", ("host", "default")));
        Assert.Equal(4, metrics.Value("ee_pmta_queue_recipients", ("host", "default")));
        Assert.Equal(1, metrics.Value("ee_pmta_queue_domains", ("host", "default")));
        Assert.Equal(0, metrics.Value("ee_pmta_connections", ("host", "default"), ("direction", "in")));
        Assert.Single(metrics.Series("ee_pmta_connections", ("host", "default"), ("direction", "out")));
        await Poll.UntilAsync(async () => await AlertAsync(client, PmtaStatusPoller.QueueKey("default")) is not null, Wait, "the queue alert");
        var alert = await AlertAsync(client, PmtaStatusPoller.QueueKey("default"));
        Assert.Equal("warning", alert!.Value.GetProperty("severity").GetString());
        Assert.Equal("open", alert.Value.GetProperty("state").GetString());
        Assert.Contains("4 recipients in 1 domain(s)", alert.Value.GetProperty("body").GetString());
        var check = await CheckAsync(client);
        Assert.Equal("degraded", check.GetProperty("status").GetString());
        Assert.Contains("default: 4 recipients queued (threshold 3)", check.GetProperty("description").GetString());
        Assert.Equal(4, check.GetProperty("data").GetProperty("default").GetProperty("queue_recipients").GetInt64());
        // /ready keeps its meaning: the schema and the fleet, not PowerMTA's queue.
        Assert.DoesNotContain("powermta", await (await client.GetAsync("/ready")).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        // The operator lifts the rate limit: the queue drains and the next read resolves the alert.
        daemon.WriteConfig(Config.Replace("max-msg-rate 1/h", "max-msg-rate 3600/h"));
        var reload = await daemon.ReloadAsync();
        Assert.True(reload.ExitCode == 0, reload.StdErr);
        await Poll.UntilAsync(async () => (await AlertAsync(client, PmtaStatusPoller.QueueKey("default")))?.GetProperty("state").GetString() == "resolved",
            Wait, "the queue alert to resolve");
        var resolved = await AlertAsync(client, PmtaStatusPoller.QueueKey("default"));
        Assert.Equal(["raised", "resolved"], resolved!.Value.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString()));
        Assert.Equal("healthy", (await CheckAsync(client)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_host_that_stops_answering_is_unreachable_after_the_failures_in_a_row_and_resolved_when_it_answers_again()
    {
        using var host = new PmtaHost();
        await using var daemon = await PmtaDaemon.StartAsync(Config, speed: 1);
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: Settings(host, daemon, new()
        {
            ["PMTA_STATUS_FAILURES"] = "2",
        }));
        using var client = engine.Client();
        var key = PmtaStatusPoller.UnreachableKey("default");

        await RoundAsync(engine);
        Assert.Equal("healthy", (await CheckAsync(client)).GetProperty("status").GetString());

        daemon.Kill();
        await RoundAsync(engine);
        var once = await CheckAsync(client);
        Assert.Equal("healthy", once.GetProperty("status").GetString()); // one failure is not yet a host down
        Assert.Equal(1, once.GetProperty("data").GetProperty("default").GetProperty("failures").GetInt32());
        Assert.Null(await AlertAsync(client, key));

        await RoundAsync(engine);
        var alert = await AlertAsync(client, key);
        Assert.NotNull(alert);
        Assert.Equal("critical", alert.Value.GetProperty("severity").GetString());
        Assert.Equal("open", alert.Value.GetProperty("state").GetString());
        Assert.Contains($"management port {daemon.MgmtPort}", alert.Value.GetProperty("body").GetString());
        var down = await CheckAsync(client);
        Assert.Equal("unhealthy", down.GetProperty("status").GetString());
        Assert.StartsWith("default: unreachable after 2 failed reads", down.GetProperty("description").GetString());
        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(0, metrics.Value("ee_pmta_status_up", ("host", "default")));
        Assert.Empty(metrics.Series("ee_pmta_queue_recipients")); // no current figures from a host that does not answer

        await RoundAsync(engine); // still down: the same alert, not a second one
        Assert.Single(await AlertsAsync(client), a => a.GetProperty("key").GetString() == key);

        await daemon.StartProcessAsync(samePorts: true);
        await RoundAsync(engine);
        var resolved = await AlertAsync(client, key);
        Assert.Equal("resolved", resolved!.Value.GetProperty("state").GetString());
        Assert.Equal(["raised", "resolved"], resolved.Value.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("kind").GetString()));
        Assert.Equal("healthy", (await CheckAsync(client)).GetProperty("status").GetString());
        Assert.Equal(1, PrometheusText.Parse(await client.GetStringAsync("/metrics")).Value("ee_pmta_status_up", ("host", "default")));
    }

    [Fact]
    public void The_status_is_read_from_the_references_shape_and_a_missing_field_is_named()
    {
        const string answer = """
            {"data":{"mta":{"product":{"name":"PowerMTA","version":"5.0r1"}},"status":{"timeNow":"2026-12-05T10:00:00Z","shuttingDown":false,
             "traffic":{"lastHr":{"out":{"rcp":120,"msg":118,"kb":900},"in":{"rcp":130,"msg":128,"kb":950},"bounceProcessed":0,"feedbackLoopProcessed":0},"perf":{}},
             "conn":{"smtpIn":{"cur":2,"max":100,"top":5},"smtpOut":{"cur":17,"max":500,"top":40}},
             "queue":{"smtp":{"rcp":51234,"dom":87,"kb":40000},"pipe":{"rcp":0,"dom":0,"kb":0}}}},"status":"success"}
            """;

        Assert.Equal(new PmtaStatus(51234, 87, 17, 2, 120, 130), PmtaStatus.Parse(answer));
        Assert.Equal("/status has no whole number at data.status.conn.smtpOut.cur",
            Assert.Throws<FormatException>(() => PmtaStatus.Parse(answer.Replace("\"smtpOut\"", "\"smtpout\""))).Message);
        Assert.Throws<FormatException>(() => PmtaStatus.Parse("""{"status":"error","message":"denied"}"""));
    }

    private static async Task RoundAsync(EngineServer engine)
    {
        await using var scope = engine.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<PmtaStatusPoller>().RunAsync(CancellationToken.None);
    }

    private static async Task<long> QueuedAsync(PmtaDaemon daemon) =>
        (await daemon.GetJsonAsync("/status?format=json")).GetProperty("data").GetProperty("status").GetProperty("queue").GetProperty("smtp").GetProperty("rcp").GetInt64();

    private static async Task<JsonElement> CheckAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/health")).GetProperty("checks").EnumerateArray()
        .Single(c => c.GetProperty("name").GetString() == "powermta-status");

    private static async Task<List<JsonElement>> AlertsAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/api/v1/alerts")).GetProperty("items").EnumerateArray().ToList();

    private static async Task<JsonElement?> AlertAsync(HttpClient client, string key) =>
        (await AlertsAsync(client)).Cast<JsonElement?>().FirstOrDefault(a => a!.Value.GetProperty("key").GetString() == key);
}
