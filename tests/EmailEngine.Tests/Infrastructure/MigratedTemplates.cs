using EmailEngine.Data;
using EmailEngine.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// Databases with every migration applied, made once per test run and copied for each engine a test starts: applying
/// all migrations to a new database took most of a short API test's time. PostgreSQL copies a template database
/// (<c>CREATE DATABASE … TEMPLATE</c>), SQLite copies the file. The engine still runs its migrator on the copy, which
/// finds nothing pending; tests about migrations themselves start from an empty database.
/// </summary>
/// <remarks>
/// A PostgreSQL copy is not dropped when its test ends: its tables are emptied and it waits for the next engine, which
/// then finds the sessions the last one left in the connection pool. Creating and dropping a copy cost the server about
/// 0.2 s of CPU, and an engine opens about a dozen sessions as it starts, each about 30 ms of CPU for a new backend.
/// A copy that cannot be emptied cleanly (a session still busy on it, a lock held), or whose schema a test changed, is
/// dropped instead.
/// </remarks>
internal static class MigratedTemplates
{
    private static readonly Lazy<Task<(string Name, string Schema)>> PostgresTemplate = new(CreatePostgresAsync);
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteAsync);
    private static readonly System.Collections.Concurrent.ConcurrentBag<PostgresDatabase> CleanCopies = [];

    public static async Task<PostgresDatabase> NewPostgresAsync() =>
        CleanCopies.TryTake(out var clean) ? clean.Reissue() : await PostgresDatabase.CreateAsync(template: (await PostgresTemplate.Value).Name, giveBack: GiveBackAsync);

    /// <summary>The tables but the migration history that hold rows, comma-separated; NULL when there are none.</summary>
    internal const string TablesWithRows = """
        SELECT string_agg(tablename, ', ') FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__ef_migrations_history'
          AND (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', tablename), false, true, '')))[1]::text::int > 0
        """;

    /// <summary>Every relation, column, type and constraint of the public schema, hashed: what emptying a copy does not restore.</summary>
    private const string SchemaFingerprint = """
        SELECT md5(coalesce((SELECT string_agg(format('%s.%s %s %s', c.relname, a.attname, c.relkind, format_type(a.atttypid, a.atttypmod)), ','
                                               ORDER BY c.relname, a.attnum)
                             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
                             WHERE n.nspname = 'public' AND a.attnum > 0 AND NOT a.attisdropped), '')
                || coalesce((SELECT string_agg(pg_get_constraintdef(k.oid), ',' ORDER BY k.conname)
                             FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = 'public'), ''))
        """;

    private static async ValueTask GiveBackAsync(PostgresDatabase database)
    {
        if (await TryEmptyAsync(database))
            CleanCopies.Add(database);
        else
            await database.DropAsync();
    }

    /// <summary>
    /// Back to what the template holds: every table but the migration history emptied, every sequence restarted; false
    /// when the schema is no longer the template's (a test renamed a table to make the engine fail). Only
    /// tables that hold rows are truncated (a truncation makes new files for the table and its indexes). A copy a client
    /// session is still busy on is not emptied; an autovacuum worker on it (reported as active too) yields to the
    /// truncation's lock.
    /// </summary>
    internal static async Task<bool> TryEmptyAsync(PostgresDatabase database)
    {
        const string empty = """
            SET lock_timeout = '5s';
            DO $$
            DECLARE
                table_name text;
                has_rows boolean;
                filled text[] := '{}';
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                           AND backend_type = 'client backend') THEN
                    RAISE EXCEPTION 'a session is still busy on %', current_database();
                END IF;
                FOR table_name IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__ef_migrations_history' LOOP
                    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', table_name) INTO has_rows;
                    IF has_rows THEN filled := filled || quote_ident(table_name); END IF;
                END LOOP;
                IF cardinality(filled) > 0 THEN
                    EXECUTE 'TRUNCATE ' || array_to_string(filled, ', ') || ' RESTART IDENTITY CASCADE';
                END IF;
                PERFORM setval(format('%I.%I', schemaname, sequencename), start_value, false) FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL;
            END $$;
            """;
        try
        {
            if (await database.ScalarAsync<string>(SchemaFingerprint) != (await PostgresTemplate.Value).Schema)
                return false;
            await database.ScalarAsync<object>(empty);
            return true;
        }
        catch (Npgsql.PostgresException)
        {
            return false;
        }
    }

    /// <summary>Puts a migrated SQLite file where an engine whose home is <paramref name="home"/> keeps its database.</summary>
    public static async Task CopySqliteAsync(string home)
    {
        var target = Path.Combine(home, DatabaseTarget.DefaultSqlitePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(await SqliteTemplate.Value, target);
    }

    private static async Task<(string Name, string Schema)> CreatePostgresAsync()
    {
        var template = await PostgresDatabase.CreateAsync();
        await MigrateAsync(new Dictionary<string, string>(EngineServer.BaseSettings) { ["DATABASE_URL"] = template.Url }, home: null);
        // Copies are given back emptied, which would lose rows a migration seeds.
        var seeded = await template.ScalarAsync<string>(TablesWithRows);
        if (seeded is not null)
            throw new InvalidOperationException($"the migrations seed rows in {seeded}: MigratedTemplates must restore them when it empties a copy");
        var schema = (await template.ScalarAsync<string>(SchemaFingerprint))!;
        // A database is copied only while nobody is connected to it.
        Npgsql.NpgsqlConnection.ClearAllPools();
        return (template.Name, schema);
    }

    private static async Task<string> CreateSqliteAsync()
    {
        var home = Directory.CreateTempSubdirectory("ee-sqlite-template-").FullName;
        await MigrateAsync(EngineServer.BaseSettings, home);
        // Closing the last connection checkpoints the write-ahead log into the file.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return Path.Combine(home, DatabaseTarget.DefaultSqlitePath);
    }

    private static async Task MigrateAsync(IReadOnlyDictionary<string, string> values, string? home)
    {
        await using var app = EngineHost.Create(SettingsLoader.FromValues(values, home), "http://127.0.0.1:0");
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
    }
}
