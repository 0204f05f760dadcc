using EmailEngine.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace EmailEngine.Data;

public sealed record MigrationStatus(bool Reachable, IReadOnlyList<string> Applied, IReadOnlyList<string> Pending, string? Error)
{
    public bool UpToDate => Reachable && Pending.Count == 0;
}

/// <summary>
/// This project's <c>alembic upgrade head</c>: applies pending migrations and tells which. Also answers readiness,
/// caching the answer briefly so a not-yet-migrated PostgreSQL is re-checked without hammering it.
/// </summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopes, DatabaseTarget target, TimeProvider clock, ILogger<DatabaseMigrator> logger)
{
    private static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(2);
    private volatile MigrationStatus? _lastStatus;
    private DateTimeOffset _checkedAt;

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken ct)
    {
        PrepareSqliteDirectory();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // On a new database, reading or locking a history table that does not exist yet logs a failed command as an error
        // (efcore.pg #3407): an operator's first start would show one. Creating it first avoids that.
        await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        await db.Database.MigrateAsync(ct);
        if (target.Provider == DatabaseProvider.Sqlite)
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        // Just migrated: every migration this build knows is applied, so the first request need not read the history again.
        _lastStatus = new MigrationStatus(true, db.Database.GetMigrations().ToList(), [], null);
        logger.LogInformation("Database {Database}: applied {Count} migration(s)", target.Describe(), pending.Count);
        return pending;
    }

    public async Task<MigrationStatus> GetStatusAsync(CancellationToken ct)
    {
        if (_lastStatus is { UpToDate: true } upToDate)
            return upToDate;
        if (_lastStatus is { } recent && clock.GetUtcNow() - _checkedAt < RecheckAfter)
            return recent;
        _lastStatus = await ReadStatusAsync(ct);
        _checkedAt = clock.GetUtcNow();
        return _lastStatus;
    }

    private async Task<MigrationStatus> ReadStatusAsync(CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var applied = (await db.Database.GetAppliedMigrationsAsync(ct)).ToList();
            var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
            return new MigrationStatus(true, applied, pending, null);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or SqliteException or InvalidOperationException or TimeoutException)
        {
            return new MigrationStatus(false, [], [], e.Message);
        }
    }

    private void PrepareSqliteDirectory()
    {
        if (target.Provider != DatabaseProvider.Sqlite)
            return;
        var directory = Path.GetDirectoryName(Path.GetFullPath(new SqliteConnectionStringBuilder(target.ConnectionString).DataSource));
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
    }
}
