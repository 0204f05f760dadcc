using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.PowerMta;

/// <summary>V1 import, stored bases and validation through the HTTP API on PostgreSQL, and deployment of the result.</summary>
[Trait("Category", "Ssh")]
public sealed class PmtaBaseApiTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private readonly string _v1 = ConfigParserTests.Fixture("v1-legacy.conf");
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: _host.EngineSettings());
        _client = _engine.Client();
        for (var i = 1; i <= 5; i++)
            (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com", status = "warming" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        _host.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, HttpContent? content, HttpClient? client = null)
    {
        var response = await (client ?? _client).PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Imports_are_versioned_and_identical_content_adds_no_version()
    {
        var (status, first) = await PostAsync("/api/v1/pmta/import-v1?name=pmta-v1.conf", new StringContent(_v1));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal((1, true, "pmta-v1.conf"), (first.GetProperty("version").GetInt32(), first.GetProperty("created").GetBoolean(), first.GetProperty("source_name").GetString()));
        var report = first.GetProperty("report");
        Assert.Equal(["178.18.243.7", "84.247.168.78"], report.GetProperty("old_ips").EnumerateArray().Select(e => e.GetString()));
        Assert.True(report.GetProperty("dropped").GetInt32() >= 6 && report.GetProperty("kept").GetInt32() >= 10, report.ToString());
        Assert.Contains(report.GetProperty("items").EnumerateArray(), i => i.GetProperty("item").GetString() == "<source 178.18.243.7>" && i.GetProperty("action").GetString() == "dropped");

        var (again, second) = await PostAsync("/api/v1/pmta/import-v1", JsonContent.Create(new { config = _v1 }));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal((1, false), (second.GetProperty("version").GetInt32(), second.GetProperty("created").GetBoolean()));

        var (changed, third) = await PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1.Replace("total-max-smtp-out 300", "total-max-smtp-out 350")));
        Assert.Equal(HttpStatusCode.Created, changed);
        Assert.Equal(2, third.GetProperty("version").GetInt32());

        var bases = await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/base");
        Assert.Equal([2, 1], bases.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var latest = bases.GetProperty("latest");
        Assert.Equal(third.GetProperty("sha256").GetString(), latest.GetProperty("sha256").GetString());
        Assert.Contains("total-max-smtp-out 350\n", latest.GetProperty("config").GetString());
        Assert.Equal(2, latest.GetProperty("report").GetProperty("old_domains").GetArrayLength());
    }

    [Fact]
    public async Task Bases_are_versioned_on_sqlite_too()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite);
        using var client = engine.Client();

        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1), client)).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1), client)).Status);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1 + "\nrun-as-root no\n"), client)).Status);

        var bases = await client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/base");
        Assert.Equal([2, 1], bases.GetProperty("versions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        Assert.Contains("<smtp-pattern-list blocking-errors>", await client.GetStringAsync("/api/v1/pmta/config"));
    }

    [Fact]
    public async Task The_config_rendered_on_the_base_validates_and_the_pmta_stand_in_accepts_it()
    {
        Assert.Equal(HttpStatusCode.Created, (await PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1))).Status);

        var config = await _client.GetStringAsync("/api/v1/pmta/config");
        foreach (var old in ImportV1Tests.OldValues)
            Assert.DoesNotContain(old, config, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("# on the imported base version 1 (v1-config, sha256 ", config);
        Assert.Contains("<domain gmail.com>\n    max-smtp-out 10\n    max-msg-rate 600/h\n", config);
        Assert.Contains("<smtp-user mailwizz>", config);
        for (var i = 1; i <= 5; i++)
            Assert.Contains($"    smtp-source-host 203.0.113.{i} mail{i}.domain{i}.com\n", config);

        var (status, validation) = await PostAsync("/api/v1/pmta/config/validate", null);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(validation.GetProperty("valid").GetBoolean(), validation.ToString());
        Assert.Equal("rendered", validation.GetProperty("source").GetString());

        var (deployStatus, deployment) = await PostAsync("/api/v1/pmta/deploy", JsonContent.Create(new { dry_run = false }));
        Assert.True(deployStatus == HttpStatusCode.OK, deployment.ToString());
        Assert.Equal("succeeded", deployment.GetProperty("status").GetString()); // the stand-in ran `pmta test config` and `reload` on it
        Assert.Contains("<bounce-category-patterns>", await File.ReadAllTextAsync(_host.RunningConfig));
    }

    [Fact]
    public async Task Validation_reports_findings_with_positions_for_a_posted_config()
    {
        var (status, body) = await PostAsync("/api/v1/pmta/config/validate", new StringContent(ConfigParserTests.Fixture("seed-sketch.conf")));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("valid").GetBoolean());
        var findings = body.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("severity").GetString()} {f.GetProperty("line").GetInt32()}:{f.GetProperty("column").GetInt32()} {f.GetProperty("message").GetString()}").ToList();
        Assert.Contains("error 16:5 smtp-source-host needs an IP address first, got 'IP1'", findings);
        Assert.Contains(findings, f => f.StartsWith("error 22:5 key file /etc/pmta/dkim/domain2.pem is not a DKIM key Email-Engine deploys", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Contains(" 21:", StringComparison.Ordinal)); // 203.0.113.2 is registered
        Assert.Equal(7, body.GetProperty("notes").GetArrayLength());

        var (syntaxStatus, syntax) = await PostAsync("/api/v1/pmta/config/validate", JsonContent.Create(new { config = "smtp-listener 0.0.0.0:2525\n<domain *>\n    max-smtp-out 2\n" }));
        Assert.Equal(HttpStatusCode.OK, syntaxStatus);
        Assert.False(syntax.GetProperty("valid").GetBoolean());
        var finding = syntax.GetProperty("findings")[0];
        Assert.Equal((2, 1, "syntax: <domain *> is not closed"), (finding.GetProperty("line").GetInt32(), finding.GetProperty("column").GetInt32(), finding.GetProperty("message").GetString()));

        var (badStatus, bad) = await PostAsync("/api/v1/pmta/config/validate", new StringContent("{\"conf\": 1}"));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("{\"config\"", bad.GetProperty("errors").GetProperty("config")[0].GetString());
    }

    [Fact]
    public async Task Import_is_for_the_operator_and_refuses_an_unparsable_config()
    {
        using var tenant = _engine.Client(await _engine.CreateTenantKeyAsync("client-1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsync("/api/v1/pmta/import-v1", new StringContent(_v1))).StatusCode);

        var (status, problem) = await PostAsync("/api/v1/pmta/import-v1", new StringContent("postmaster a@b.c\n</source>\n"));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("line 2, column 1: </source> closes no open block", problem.GetProperty("errors").GetProperty("config")[0].GetString());
        Assert.Equal(0, (await _client.GetFromJsonAsync<JsonElement>("/api/v1/pmta/base")).GetProperty("versions").GetArrayLength());
    }
}
