using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Data;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrate_on_postgres_applies_then_is_a_no_op()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var environment = new Dictionary<string, string> { ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = database.Url };
        var directory = Directory.CreateTempSubdirectory("ee-migrate-").FullName;

        var first = await ProcessRunner.EngineAsync(environment, directory, "migrate");
        var second = await ProcessRunner.EngineAsync(environment, directory, "migrate");

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Matches(@"applied \d+ migration\(s\)", first.StdOut);
        Assert.Contains("_Initial", first.StdOut);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("nothing applied", second.StdOut);
        Assert.True(await database.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history") >= 1);
    }

    [Fact]
    public async Task Migrate_on_sqlite_creates_the_file_then_is_a_no_op()
    {
        var directory = Directory.CreateTempSubdirectory("ee-migrate-").FullName;
        var environment = new Dictionary<string, string> { ["API_KEY"] = "email_engine_v2_key" };

        var first = await ProcessRunner.EngineAsync(environment, directory, "migrate");
        var second = await ProcessRunner.EngineAsync(environment, directory, "migrate");

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Contains("_Initial", first.StdOut);
        Assert.True(File.Exists(Path.Combine(directory, "data", "email-engine.db")));
        Assert.Contains("nothing applied", second.StdOut);
        Directory.Delete(directory, true);
    }

    [Fact]
    public async Task Unmigrated_postgres_serves_503_with_the_command_until_migrated()
    {
        await using var server = await EngineServer.StartAsync(Provider.Postgres, migrate: false);
        using var client = server.Client();

        var api = await client.GetAsync("/api/v1/ips");
        var ready = await client.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, api.StatusCode);
        Assert.Contains("email-engine migrate", (await api.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("run `email-engine migrate`",
            (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("database").GetProperty("action").GetString());

        var migrate = await ProcessRunner.EngineAsync(new Dictionary<string, string>
        {
            ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = server.Postgres.Url,
        }, Path.GetTempPath(), "migrate");
        Assert.Equal(0, migrate.ExitCode);
        await Task.Delay(TimeSpan.FromSeconds(2.5)); // the readiness answer is cached for 2 s

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/ips")).StatusCode);
    }
}
