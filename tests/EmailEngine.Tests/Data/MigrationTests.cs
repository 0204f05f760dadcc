using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

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
        var count = System.Text.RegularExpressions.Regex.Match(first.StdOut, @"applied (\d+) migration\(s\)");
        Assert.True(count.Success, first.StdOut);
        Assert.Contains("_Initial", first.StdOut);
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("nothing applied", second.StdOut);
        Assert.Equal(long.Parse(count.Groups[1].Value), await database.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history"));
    }

    [Fact]
    public async Task Migrate_on_sqlite_creates_the_file_then_is_a_no_op()
    {
        var directory = Directory.CreateTempSubdirectory("ee-migrate-").FullName;
        var environment = new Dictionary<string, string> { ["API_KEY"] = "email_engine_v2_key" };

        var first = await ProcessRunner.EngineAsync(environment, directory, "migrate");
        var second = await ProcessRunner.EngineAsync(environment, directory, "migrate");

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.Matches(@"applied \d+ migration\(s\)", first.StdOut);
        Assert.Contains("_Initial", first.StdOut);
        Assert.True(File.Exists(Path.Combine(directory, "data", "email-engine.db")));
        // Every step runs inside its migration's transaction: EF warns of one that cannot (a SQLite table rebuild with
        // foreign keys off), which a crash could leave half done.
        Assert.DoesNotContain("cannot be executed in a transaction", first.StdOut + first.StdErr);
        Assert.Contains("nothing applied", second.StdOut);
        Directory.Delete(directory, true);
    }

    /// <summary>
    /// Migrations were squashed to one per provider before the first release (docs/migrations.md): an empty database
    /// gets that one first (and any added since), the model has nothing a migration lacks, and PostgreSQL's hand edits
    /// are in it.
    /// </summary>
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task An_empty_database_gets_the_initial_migration_first_with_its_hand_edits(Provider provider)
    {
        await using var postgres = provider == Provider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        var directory = Directory.CreateTempSubdirectory("ee-migrate-").FullName;
        var target = postgres is null
            ? DatabaseTarget.Sqlite(Path.Combine(directory, "empty.db"))
            : new DatabaseTarget(DatabaseProvider.Postgres, postgres.ConnectionString);
        await using var services = new ServiceCollection().AddLogging().AddSingleton(TimeProvider.System)
            .AddEngineDatabase(target).BuildServiceProvider();

        var applied = await services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);

        Assert.EndsWith("_Initial", applied[0]);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            Assert.Equal(applied, db.Database.GetMigrations());
            Assert.Equal(applied, await db.Database.GetAppliedMigrationsAsync());
            Assert.False(db.Database.HasPendingModelChanges(), "the model has changes no migration carries: run scripts/add-migration.sh");
            if (provider == Provider.Sqlite)
                // SQLite keeps contact_events' cascade to contacts (SqliteAppDbContext); PostgreSQL has none.
                Assert.Equal(1L, await db.Database.SqlQueryRaw<long>(
                    "SELECT count(*) AS \"Value\" FROM pragma_foreign_key_list('contact_events') WHERE \"table\" = 'contacts'").SingleAsync());
        }
        if (postgres is not null)
        {
            Assert.Equal("u", await postgres.ScalarAsync<string>("SELECT relpersistence::text FROM pg_class WHERE relname = 'import_staging'"));
            Assert.Equal(0L, await postgres.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'contacts'::regclass AND contype = 'f'"));
            Assert.Equal(0L, await postgres.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE confrelid = 'contacts'::regclass"));
            Assert.Equal(0L, await postgres.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_contacts_welcome_campaign_id'"));
            // What the model itself declares is there: another table's foreign key to tenants, contact ids taken 1,000 at a time.
            Assert.Equal(1L, await postgres.ScalarAsync<long>(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = 'api_keys'::regclass AND confrelid = 'tenants'::regclass"));
            Assert.Equal(1000L, await postgres.ScalarAsync<long>("SELECT cache_size FROM pg_sequences WHERE sequencename = 'contacts_id_seq'"));
        }
        Directory.Delete(directory, true);
    }

    [Fact]
    public async Task Unmigrated_postgres_serves_503_with_the_command_until_migrated()
    {
        // The readiness answer is cached for 2 s of the engine's clock: a clock moved by hand outlasts it without a sleep.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await EngineServer.StartAsync(Provider.Postgres, migrate: false,
            extraServices: services => services.AddSingleton<TimeProvider>(clock));
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
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/api/v1/ips")).StatusCode); // still the cached answer
        clock.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/ips")).StatusCode);
    }
}
