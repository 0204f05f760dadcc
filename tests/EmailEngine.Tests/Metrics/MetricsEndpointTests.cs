using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Metrics;

/// <summary>/metrics read as Prometheus reads it: the exposition format's rules, the values of what happened, the keys.</summary>
public sealed class MetricsEndpointTests(MetricsEngine engine) : IClassFixture<MetricsEngine>
{
    [Fact]
    public async Task Metrics_follow_the_exposition_format_and_count_what_was_ingested_per_vmta_and_isp_group()
    {
        var (_, metrics) = await engine.ScrapeAsync();
        var warming = ("vmta", engine.WarmingVmta);
        Assert.Equal(4, metrics.Value("ee_acct_sent_total", warming, ("isp_group", "gmail")));
        Assert.Equal(3, metrics.Value("ee_acct_delivered_total", warming, ("isp_group", "gmail")));
        Assert.Equal(1, metrics.Value("ee_acct_bounced_total", warming, ("isp_group", "gmail"), ("class", "hard")));
        Assert.Equal(1, metrics.Value("ee_acct_deferred_total", warming, ("isp_group", "gmail"), ("class", "block")));
        Assert.Equal(1, metrics.Value("ee_acct_complaints_total", warming, ("isp_group", "microsoft")));
        Assert.Equal(2, metrics.Value("ee_acct_delivered_total", ("vmta", engine.ActiveVmta), ("isp_group", "yahoo")));
        Assert.Empty(metrics.Series("ee_acct_bounced_total", ("vmta", engine.ActiveVmta)));
        Assert.Equal(8, metrics.Value("ee_acct_records_total"));
        Assert.Equal("counter", metrics.Types["ee_acct_sent_total"]);
        Assert.Equal("histogram", metrics.Types["ee_acct_batch_duration_seconds"]);
        Assert.True(metrics.Value("ee_acct_last_ingest_timestamp_seconds") > DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Warmup_ip_blocklist_outbox_deploy_and_call_state_are_reported()
    {
        var (_, metrics) = await engine.ScrapeAsync();
        var warming = ("ip", "203.0.113.1");
        Assert.Equal(1, metrics.Value("ee_warmup_day", warming));
        Assert.Equal(5, metrics.Value("ee_warmup_daily_quota", warming)); // conservative-70, day 1
        Assert.Equal(2, metrics.Value("ee_warmup_group_quota", warming, ("isp_group", "gmail")));
        Assert.Equal(1, metrics.Value("ee_warmup_phase", warming, ("phase", "running")));
        Assert.Equal(1, metrics.Value("ee_ip_info", ("ip", "203.0.113.2"), ("vmta", engine.ActiveVmta), ("status", "active")));
        Assert.Empty(metrics.Series("ee_warmup_day", ("ip", "203.0.113.2")));
        Assert.Equal(1, metrics.Value("ee_blocklist_listed", ("target", "203.0.113.2"), ("zone", "spamhaus-zen"), ("severity", "critical")));
        Assert.Equal(1, metrics.Value("ee_blocklist_checker_errors", ("zone", "barracuda")));
        Assert.Equal(1, metrics.Value("ee_outbox_messages", ("kind", "metrics.test"), ("status", "pending")));
        Assert.InRange(metrics.Value("ee_outbox_oldest_pending_age_seconds"), 590, 3600);
        Assert.Equal(1, metrics.Value("ee_outbox_handled_total", ("kind", "metrics.unhandled"), ("result", "failed")));
        Assert.Equal(1, metrics.Value("ee_outbox_messages", ("kind", "metrics.unhandled"), ("status", "failed")));
        Assert.True(metrics.Value("ee_pmta_deployments_total", ("status", "failed")) >= 1); // the warmup's deploy: no PowerMTA host here
        Assert.True(metrics.Value("ee_call_duration_seconds_count", ("target", "webhook"), ("outcome", "error")) >= 1);
        Assert.InRange(metrics.Value("ee_metrics_state_age_seconds"), 0, 30);
        Assert.Contains(metrics.Samples, s => s.Name == "http_server_request_duration_seconds_count" && s["http_route"] == "/api/v1/accounting/upload");
        Assert.DoesNotContain(metrics.Samples, s => s.Labels.Values.Any(v => v.Contains('@'))); // never a recipient
    }

    [Fact]
    public async Task Another_engine_in_the_same_process_does_not_show_in_this_ones_metrics()
    {
        await using var other = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = other.Client();
        await Accounting.AcctFiles.UploadAsync(client, Accounting.AcctFiles.Header
            + Accounting.AcctFiles.Line("d", "2026-11-25 10:15:00+0000", "other@gmail.com", vmta: engine.WarmingVmta));
        var theirs = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        Assert.Equal(1, theirs.Value("ee_acct_delivered_total", ("vmta", engine.WarmingVmta), ("isp_group", "gmail")));

        var (_, ours) = await engine.ScrapeAsync();
        Assert.Equal(3, ours.Value("ee_acct_delivered_total", ("vmta", engine.WarmingVmta), ("isp_group", "gmail")));
        Assert.Single(ours.Series("target_info"));
    }

    [Fact]
    public async Task The_bounce_counter_keeps_every_vmta_isp_group_and_class_of_a_hundred_ip_fleet_apart()
    {
        // 100 vmtas × 6 ISP groups × 4 classes: 2,400 label sets, past the 2,000 OpenTelemetry holds apart by default.
        string[] domains = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "orange.fr", "example.org"];
        (string Status, string Diag, string Category)[] classes =
        [
            ("5.1.1", "smtp;550 5.1.1 User unknown", "bad-mailbox"),
            ("5.2.2", "smtp;552 5.2.2 Mailbox full", "quota-issues"),
            ("5.7.1", "smtp;550 5.7.1 Client host [203.0.113.1] blocked using Spamhaus", "policy-related"),
            ("", "", ""), // no signal at all: class other
        ];
        var file = new System.Text.StringBuilder(Accounting.AcctFiles.Header);
        for (var ip = 1; ip <= 100; ip++)
            foreach (var domain in domains)
                foreach (var (status, diag, category) in classes)
                    file.Append(Accounting.AcctFiles.Line("b", "2026-11-25 10:15:00+0000", $"r{ip}@{domain}", vmta: $"fleet-{ip}", status: status, diag: diag,
                        category: category));
        await using var fleet = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = fleet.Client();
        await Accounting.AcctFiles.UploadAsync(client, file.ToString());

        var metrics = PrometheusText.Parse(await client.GetStringAsync("/metrics"));
        var bounced = metrics.Series("ee_acct_bounced_total").ToList();
        Assert.DoesNotContain(bounced, s => s.Labels.ContainsKey("otel_metric_overflow"));
        Assert.Equal(["block", "hard", "other", "soft"], bounced.Select(s => s["class"]).Distinct().Order());
        Assert.Equal(2_400, bounced.Count);
        Assert.All(bounced, s => Assert.Equal(1, s.Value));
    }

    [Fact]
    public async Task Promtool_finds_no_problem_in_the_engines_metrics()
    {
        var (text, _) = await engine.ScrapeAsync();
        var info = new ProcessStartInfo("/usr/bin/promtool", "check metrics") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using var promtool = Process.Start(info)!;
        await promtool.StandardInput.WriteAsync(text);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        // The .NET runtime's own meter names some gauges *_count, which the lint flags as a naming style; nothing else may be
        // reported (a parse error, or any problem with the engine's or ASP.NET Core's metrics).
        var problems = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("dotnet_", StringComparison.Ordinal)).ToList();
        Assert.True(problems.Count == 0, output);
    }

    [Fact]
    public async Task Metrics_need_the_operator_key_on_the_api_port_and_none_on_the_metrics_port()
    {
        using var anonymous = engine.Server.Client(apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var wrong = engine.Server.Client(apiKey: "not-the-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/metrics")).StatusCode);
        using var tenant = engine.Server.Client(await engine.Server.CreateTenantKeyAsync("metrics-tenant"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/metrics")).StatusCode);

        using var bearer = engine.Server.Client(apiKey: null);
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", EngineServer.OperatorKey);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/metrics")).StatusCode);
        // The bearer form is for /metrics only: the API keeps its X-API-KEY contract.
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearer.GetAsync("/api/v1/ips")).StatusCode);

        using var separate = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{engine.MetricsPort}/") };
        var scraped = await separate.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("ee_acct_sent_total", await scraped.Content.ReadAsStringAsync());
        // Nothing else answers on the metrics port, with or without a key.
        Assert.Equal(HttpStatusCode.NotFound, (await separate.GetAsync("api/v1/ips")).StatusCode);
        separate.DefaultRequestHeaders.Add("X-API-KEY", EngineServer.OperatorKey);
        Assert.Equal(HttpStatusCode.NotFound, (await separate.GetAsync("api/v1/ips")).StatusCode);
    }

    [Fact]
    public async Task A_real_prometheus_scrapes_the_engine_with_the_operator_key_and_answers_queries()
    {
        await engine.ScrapeAsync(); // the state gauges are filled
        await using var prometheus = await PrometheusServer.StartAsync(engine.Server.BaseAddress.Authority, EngineServer.OperatorKey);

        var up = await prometheus.WaitForAsync("up{job=\"email-engine\"} == 1");
        Assert.True(up.Count == 1, $"target: {await prometheus.TargetAsync()}");
        var delivered = await prometheus.WaitForAsync($"ee_acct_delivered_total{{vmta=\"{engine.WarmingVmta}\",isp_group=\"gmail\"}}");
        Assert.Equal(3, Assert.Single(delivered).Value);
        var day = await prometheus.WaitForAsync("ee_warmup_day{ip=\"203.0.113.1\"}");
        Assert.Equal(1, Assert.Single(day).Value);
        var rate = await prometheus.WaitForAsync($"sum by (vmta) (ee_acct_delivered_total) / sum by (vmta) (ee_acct_sent_total)");
        Assert.Equal(0.75, rate.Single(r => r.Labels["vmta"] == engine.WarmingVmta).Value);
        Assert.Equal(("up", ""), await prometheus.TargetAsync());
    }
}
