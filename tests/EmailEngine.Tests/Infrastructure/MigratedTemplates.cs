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
internal static class MigratedTemplates
{
    private static readonly Lazy<Task<string>> PostgresTemplate = new(CreatePostgresAsync);
    private static readonly Lazy<Task<string>> SqliteTemplate = new(CreateSqliteAsync);

    public static async Task<PostgresDatabase> NewPostgresAsync() => await PostgresDatabase.CreateAsync(template: await PostgresTemplate.Value);

    /// <summary>Puts a migrated SQLite file where an engine whose home is <paramref name="home"/> keeps its database.</summary>
    public static async Task CopySqliteAsync(string home)
    {
        var target = Path.Combine(home, DatabaseTarget.DefaultSqlitePath);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(await SqliteTemplate.Value, target);
    }

    private static async Task<string> CreatePostgresAsync()
    {
        var template = await PostgresDatabase.CreateAsync();
        await MigrateAsync(new Dictionary<string, string>(EngineServer.BaseSettings) { ["DATABASE_URL"] = template.Url }, home: null);
        // A database is copied only while nobody is connected to it.
        Npgsql.NpgsqlConnection.ClearAllPools();
        return template.Name;
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
