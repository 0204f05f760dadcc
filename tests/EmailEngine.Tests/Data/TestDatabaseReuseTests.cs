using EmailEngine.Tests.Infrastructure;
using Npgsql;

namespace EmailEngine.Tests.Data;

/// <summary>
/// The suite hands a migrated PostgreSQL copy to the next engine once a test is done with it
/// (<see cref="MigratedTemplates"/>): what one test wrote must never reach the next.
/// </summary>
public sealed class TestDatabaseReuseTests
{
    [Fact]
    public async Task An_emptied_copy_holds_no_row_an_engine_wrote_and_its_identities_start_again()
    {
        var copy = await MigratedTemplates.NewPostgresAsync();
        try
        {
            var history = await copy.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history");
            await using (var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["DATABASE_URL"] = copy.Url }))
                await engine.CreateTenantKeyAsync("acme");
            Assert.NotNull(await copy.ScalarAsync<string>(MigratedTemplates.TablesWithRows)); // the engine wrote something to empty

            Assert.True(await MigratedTemplates.TryEmptyAsync(copy));

            Assert.Null(await copy.ScalarAsync<string>(MigratedTemplates.TablesWithRows));
            Assert.Equal(history, await copy.ScalarAsync<long>("SELECT count(*) FROM __ef_migrations_history"));
            Assert.Equal(1, await copy.ScalarAsync<long>("SELECT nextval(pg_get_serial_sequence('tenants', 'id'))"));
        }
        finally
        {
            await copy.DropAsync();
        }
    }

    [Fact]
    public async Task A_copy_a_session_still_holds_a_transaction_on_is_not_called_clean()
    {
        var copy = await MigratedTemplates.NewPostgresAsync();
        try
        {
            await using var session = new NpgsqlConnection(copy.ConnectionString);
            await session.OpenAsync();
            await using var transaction = await session.BeginTransactionAsync();
            await using (var read = new NpgsqlCommand("SELECT count(*) FROM tenants", session, transaction))
                await read.ExecuteScalarAsync();

            Assert.False(await MigratedTemplates.TryEmptyAsync(copy));
        }
        finally
        {
            await copy.DropAsync();
        }
    }

    [Theory]
    [InlineData("ALTER TABLE import_staging RENAME TO import_staging_away")]
    [InlineData("ALTER TABLE contacts ADD COLUMN left_behind int")]
    [InlineData("ALTER TABLE import_staging ALTER COLUMN first_name TYPE varchar(10)")]
    [InlineData("ALTER TABLE tenants ADD CONSTRAINT left_behind CHECK (id > 0)")]
    public async Task A_copy_whose_schema_a_test_changed_is_not_called_clean(string change)
    {
        var copy = await MigratedTemplates.NewPostgresAsync();
        try
        {
            await copy.ScalarAsync<object>(change);

            Assert.False(await MigratedTemplates.TryEmptyAsync(copy));
        }
        finally
        {
            await copy.DropAsync();
        }
    }

    [Fact]
    public async Task A_copy_disposed_twice_is_handed_out_once()
    {
        var copy = await MigratedTemplates.NewPostgresAsync();
        await copy.DisposeAsync();
        await copy.DisposeAsync();

        var first = await MigratedTemplates.NewPostgresAsync();
        var second = await MigratedTemplates.NewPostgresAsync();
        try
        {
            Assert.NotEqual(first.Name, second.Name);
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }
    }
}
