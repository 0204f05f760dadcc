using System.Text.Json;
using System.Text.RegularExpressions;

namespace EmailEngine.Tests.Metrics;

/// <summary>
/// The provisioned Grafana dashboard: it has what Grafana's dashboard model requires, and every query names metrics the
/// engine exposes (read from a real scrape; a few appear only with a PowerMTA host and are taken from the engine's list).
/// </summary>
public sealed partial class MetricsDashboardTests(MetricsEngine engine) : IClassFixture<MetricsEngine>
{
    /// <summary>Series that exist only with a PowerMTA host (accounting pull, reconciler, a successful deployment, its status read).</summary>
    private static readonly string[] NeedPowerMta =
    [
        "ee_acct_pull_lag_seconds", "ee_pmta_config_in_sync", "ee_pmta_last_success_timestamp_seconds", "ee_pmta_status_up",
        "ee_pmta_queue_recipients", "ee_pmta_queue_domains", "ee_pmta_connections",
    ];

    /// <summary>PromQL words that are not metric names: functions, aggregations, keywords, Grafana's interval variables.</summary>
    private static readonly HashSet<string> PromQl =
    [
        "sum", "count", "avg", "min", "max", "rate", "irate", "increase", "histogram_quantile", "by", "without", "on", "ignoring", "group_left",
        "group_right", "or", "and", "unless", "vector", "time", "topk", "bottomk", "label_values", "offset", "bool", "abs", "clamp_min",
        "delta", "deriv", "le", "Inf",
    ];

    [GeneratedRegex("""\{[^}]*\}""")]
    private static partial Regex Matchers();

    [GeneratedRegex("""\[[^\]]*\]""")]
    private static partial Regex Ranges();

    [GeneratedRegex("""\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)""")]
    private static partial Regex Groupings();

    [GeneratedRegex("""\$\w+""")]
    private static partial Regex Variables();

    [GeneratedRegex("""[a-zA-Z_:][a-zA-Z0-9_:]*""")]
    private static partial Regex Identifier();

    private static JsonElement Dashboard()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "EmailEngine.slnx")))
            directory = directory.Parent;
        Assert.NotNull(directory);
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(directory.FullName, "deploy", "grafana", "dashboards", "email-engine.json"))).RootElement;
    }

    private static IEnumerable<JsonElement> Panels(JsonElement holder) => holder.TryGetProperty("panels", out var panels)
        ? panels.EnumerateArray().SelectMany(p => Panels(p).Prepend(p)) : [];

    /// <summary>The metric names in a query: label matchers, ranges, groupings, strings and numbers removed first.</summary>
    public static IReadOnlySet<string> MetricNamesIn(string promql)
    {
        var text = Groupings().Replace(Ranges().Replace(Matchers().Replace(Variables().Replace(promql, ""), ""), ""), "");
        return Identifier().Matches(text).Select(m => m.Value).Where(word => !PromQl.Contains(word)).ToHashSet();
    }

    /// <summary>Grafana's <c>label_values(series, label)</c>: the series part is PromQL, the label is not a metric.</summary>
    private static string SeriesOf(string variableQuery) => variableQuery.StartsWith("label_values(", StringComparison.Ordinal)
        ? variableQuery["label_values(".Length..variableQuery.LastIndexOf(',')]
        : variableQuery;

    [Fact]
    public void The_dashboard_has_what_grafana_requires()
    {
        var dashboard = Dashboard();
        Assert.Equal("email-engine", dashboard.GetProperty("uid").GetString());
        Assert.False(string.IsNullOrWhiteSpace(dashboard.GetProperty("title").GetString()));
        Assert.True(dashboard.GetProperty("schemaVersion").GetInt32() >= 36);
        Assert.Equal(JsonValueKind.Null, dashboard.GetProperty("id").ValueKind); // provisioned: Grafana assigns it
        Assert.Equal(JsonValueKind.Object, dashboard.GetProperty("time").ValueKind);
        var variables = dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(variables, v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus");

        var panels = Panels(dashboard).ToList();
        Assert.True(panels.Count >= 15);
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        string[] types = ["row", "timeseries", "stat", "table", "gauge", "bargauge", "text"];
        var boxes = new List<(int X, int Y, int W, int H)>();
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Contains(panel.GetProperty("type").GetString(), types);
            var grid = panel.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(x >= 0 && w > 0 && x + w <= 24 && h > 0 && y >= 0, $"{title}: gridPos outside Grafana's 24 columns");
            Assert.DoesNotContain(boxes, b => x < b.X + b.W && b.X < x + w && y < b.Y + b.H && b.Y < y + h);
            boxes.Add((x, y, w, h));
            if (panel.GetProperty("type").GetString() == "row")
                continue;
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
        }
    }

    [Fact]
    public async Task Every_dashboard_query_names_metrics_the_engine_exposes()
    {
        var (_, scraped) = await engine.ScrapeAsync();
        var exposed = scraped.Names.Concat(NeedPowerMta).ToHashSet();
        var dashboard = Dashboard();
        var queries = Panels(dashboard).Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString(), Expr: t.GetProperty("expr").GetString()!)))
            .Concat(dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query")
                .Select(v => (Panel: v.GetProperty("name").GetString(), Expr: SeriesOf(v.GetProperty("definition").GetString()!))))
            .ToList();
        Assert.True(queries.Count >= 20);
        var used = new HashSet<string>();
        foreach (var (panel, expr) in queries)
        {
            var names = MetricNamesIn(expr);
            Assert.True(names.Count > 0, $"{panel}: no metric in {expr}");
            foreach (var name in names)
                Assert.True(exposed.Contains(name), $"{panel}: {name} is not exposed by the engine ({expr})");
            used.UnionWith(names);
        }
        // And the other way: every metric the engine defines has a place on the dashboard (histograms by their buckets or count).
        foreach (var family in scraped.Types.Keys.Where(n => n.StartsWith("ee_", StringComparison.Ordinal)).Concat(NeedPowerMta))
            Assert.True(used.Contains(family) || used.Contains(family + "_bucket") || used.Contains(family + "_count")
                || (family == "ee_acct_records_total") || (family == "ee_pmta_deployment_duration_seconds"), $"{family} is on no panel");
    }

    [Theory]
    [InlineData("sum by (vmta, isp_group) (increase(ee_acct_delivered_total{vmta=~\"$vmta\"}[1h])) / sum by (vmta) (ee_acct_sent_total)", "ee_acct_delivered_total,ee_acct_sent_total")]
    [InlineData("histogram_quantile(0.95, sum by (target, le) (rate(ee_call_duration_seconds_bucket[$__rate_interval])))", "ee_call_duration_seconds_bucket")]
    [InlineData("count(ee_blocklist_listed{severity=\"critical\"}) or vector(0)", "ee_blocklist_listed")]
    [InlineData("time() - ee_acct_last_ingest_timestamp_seconds", "ee_acct_last_ingest_timestamp_seconds")]
    public void Metric_names_are_read_out_of_promql(string promql, string expected) =>
        Assert.Equal(expected.Split(',').ToHashSet(), MetricNamesIn(promql));
}
