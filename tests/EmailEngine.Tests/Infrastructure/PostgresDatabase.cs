using Npgsql;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A fresh database on the test PostgreSQL server (empty, or a copy of a template). Dropped on dispose, unless it was
/// handed out by <see cref="MigratedTemplates"/>, which empties it and hands it out again.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly Func<PostgresDatabase, ValueTask>? _giveBack;
    private int _disposed;

    private PostgresDatabase(string name, NpgsqlConnectionStringBuilder builder, Func<PostgresDatabase, ValueTask>? giveBack)
    {
        _giveBack = giveBack;
        Name = name;
        ConnectionString = builder.ConnectionString;
        Url = $"postgresql://{builder.Username}:@{builder.Host}:{builder.Port}/{name}";
    }

    public string Name { get; }
    public string ConnectionString { get; }
    /// <summary>The same database in the DATABASE_URL form the engine is configured with.</summary>
    public string Url { get; }

    public static Task<PostgresDatabase> CreateAsync() => CreateAsync(template: null, giveBack: null);

    /// <summary>The same database for its next user: disposing this handle twice must not give the database back twice.</summary>
    internal PostgresDatabase Reissue() => new(Name, new NpgsqlConnectionStringBuilder(ConnectionString), _giveBack);

    /// <param name="giveBack">Called instead of dropping the database on dispose.</param>
    internal static async Task<PostgresDatabase> CreateAsync(string? template, Func<PostgresDatabase, ValueTask>? giveBack)
    {
        var name = $"ee_test_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand(template is null ? $"CREATE DATABASE {name}" : $"CREATE DATABASE {name} TEMPLATE {template}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = name };
        return new PostgresDatabase(name, builder, giveBack);
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T));
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return ValueTask.CompletedTask;
        return _giveBack is null ? DropAsync() : _giveBack(this);
    }

    /// <summary>
    /// Drops the database; <c>WITH (FORCE)</c> ends the sessions still open on it. Other tests' pools are left alone:
    /// clearing every pool here closed the idle connections of every engine running beside this test, and each new
    /// PostgreSQL session costs about 30 ms of CPU (a forked backend building its caches).
    /// </summary>
    internal async ValueTask DropAsync()
    {
        await using (var own = new NpgsqlConnection(ConnectionString))
            NpgsqlConnection.ClearPool(own);
        await using var admin = new NpgsqlConnection(TestEnvironment.PostgresAdmin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
