using EmailEngine.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace EmailEngine.Data;

public static class DatabaseSetup
{
    /// <summary>
    /// Registers the provider-specific context and exposes it as <see cref="AppDbContext"/>. Contexts are pooled: building
    /// one (its options and internal services) was about a fifth of a small request's CPU.
    /// </summary>
    public static IServiceCollection AddEngineDatabase(this IServiceCollection services, DatabaseTarget target)
    {
        if (target.Provider == DatabaseProvider.Postgres)
        {
            services.AddDbContextPool<PostgresAppDbContext>(o => ConfigurePostgres(o, target.ConnectionString));
            services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<PostgresAppDbContext>());
        }
        else
        {
            services.AddDbContextPool<SqliteAppDbContext>(o => ConfigureSqlite(o, target.ConnectionString));
            services.AddScoped<AppDbContext>(sp => sp.GetRequiredService<SqliteAppDbContext>());
        }
        services.AddSingleton(target);
        services.AddSingleton<DatabaseMigrator>();
        return services;
    }

    internal static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(Pooled(connectionString), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(TextGuard.Instance)
            .ConfigureWarnings(Warnings);

    /// <summary>
    /// A request or worker round opens and closes its connection several times. Resetting the session at each return to
    /// the pool (DISCARD ALL), then parsing and planning the same statements again, cost PostgreSQL about as much CPU as
    /// the queries themselves. Nothing in the engine leaves session state on a pooled connection
    /// (docs/decisions/0017-pooled-contexts-and-postgres-sessions.md).
    /// </summary>
    internal static string Pooled(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, MaxAutoPrepare = 50 }.ConnectionString;

    internal static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(SqliteConcurrency.Instance, TextGuard.Instance)
            .ConfigureWarnings(Warnings);

    /// <summary>
    /// EF logs every failed command as an error, also the unique violations the code expects and handles (two requests
    /// creating the same domain, tenant or list): an operator read "fail:" for a race that lost nothing. A failure
    /// nobody handles is logged by whoever meets it (the request's problem handler, the worker's round, the outbox).
    /// <para>
    /// Migrating also checks that no model change lacks a migration, by building the design-time model and diffing it
    /// with the snapshot: about 0.2 s of CPU at every start, the same answer each time for a given build. The suite asks
    /// it once per provider (<c>MigrationTests</c>), so a build that lacks a migration never ships.
    /// </para>
    /// </summary>
    private static void Warnings(Microsoft.EntityFrameworkCore.Diagnostics.WarningsConfigurationBuilder warnings) =>
        warnings.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, LogLevel.Debug),
                (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, LogLevel.Debug))
            .Ignore(Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.PendingModelChangesWarning);
}

/// <summary>
/// The embedded database is shared by the API and the workers. In its default rollback-journal mode a reader blocks a
/// writer, and the driver answers a busy database by sleeping 150 ms and trying again: under steady intake that
/// made each contact wait for whole multiples of 150 ms. Write-ahead logging lets readers and one writer work at once
/// (durable as before: synchronous stays FULL), and SQLite's own busy handler waits in small steps before the driver
/// ever sees "busy".
/// </summary>
internal sealed class SqliteConcurrency : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public static readonly SqliteConcurrency Instance = new();

    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection,
        Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>Used only by <c>dotnet ef migrations add</c>: no database is contacted.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDbContext>
{
    public PostgresAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresAppDbContext>();
        DatabaseSetup.ConfigurePostgres(options, "Host=localhost;Database=design_time");
        return new PostgresAppDbContext(options.Options);
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>();
        DatabaseSetup.ConfigureSqlite(options, "Data Source=design_time.db");
        return new SqliteAppDbContext(options.Options);
    }
}
