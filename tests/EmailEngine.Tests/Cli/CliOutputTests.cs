using System.Net.Http.Json;
using EmailEngine.Deliverability;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Cli;

/// <summary>CLI verbs as a script or CI runs them: their own process, output redirected (no terminal).</summary>
public sealed class CliOutputTests
{
    [Fact]
    public async Task Warmup_status_lists_every_ip_with_full_headers_when_piped()
    {
        await using var server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = server.Client();
        (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" })).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain1.com", status = "standby" })).EnsureSuccessStatusCode();

        // COLUMNS unset, as in CI: the width must not fall back to 80.
        var result = await ProcessRunner.EngineAsync(new Dictionary<string, string>
        {
            ["API_KEY"] = EngineServer.OperatorKey, ["DATABASE_URL"] = server.Postgres.Url, ["DKIM_MASTER_KEY"] = EngineServer.DkimMasterKey,
            ["COLUMNS"] = "",
        }, Path.GetTempPath(), "warmup", "status");

        Assert.True(result.ExitCode == 0, result.StdErr);
        var lines = result.StdOut.Split('\n');
        var header = lines.Single(l => l.Contains("last decision"));
        string[] expected = ["ip", "vmta", "status", "plan", "day", "quota/day", .. IspGroups.All.Select(g => g.Name()), "last decision"];
        Assert.Equal(expected, Cells(header));
        Assert.DoesNotContain("…", result.StdOut);
        var warming = Cells(lines.Single(l => l.Contains("203.0.113.1")));
        Assert.Equal(["203.0.113.1", "vmta-1", "warming", "conservative-70", "1/70"], warming[..5]);
        var standby = Cells(lines.Single(l => l.Contains("203.0.113.2")));
        Assert.Equal(["203.0.113.2", "vmta-2", "standby", "no plan", ""], standby[..5]);
    }

    [Fact]
    public async Task A_verb_on_a_never_migrated_postgres_database_names_the_migrate_command()
    {
        await using var database = await PostgresDatabase.CreateAsync();

        var result = await ProcessRunner.EngineAsync(new Dictionary<string, string>
        {
            ["API_KEY"] = EngineServer.OperatorKey, ["DATABASE_URL"] = database.Url, ["DKIM_MASTER_KEY"] = EngineServer.DkimMasterKey,
        }, Path.GetTempPath(), "tenants", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("error: database not migrated: run `email-engine migrate`", result.StdErr.Trim().Split('\n')[^1]);
        Assert.Equal("", result.StdOut);
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    /// <summary>A table row's cells, whether Spectre.Console draws Unicode or ASCII borders.</summary>
    private static string[] Cells(string row) => row.Split('│', '|').Skip(1).SkipLast(1).Select(c => c.Trim()).ToArray();
}
