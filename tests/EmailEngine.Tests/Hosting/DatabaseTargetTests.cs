using EmailEngine.Hosting;
using Npgsql;

namespace EmailEngine.Tests.Hosting;

public sealed class DatabaseTargetTests
{
    [Theory]
    [InlineData("postgresql://user:pass@localhost:5432/email_engine_v2", "localhost", 5432, "email_engine_v2", "user", "pass")]
    [InlineData("postgres://user:pass@db.internal/engine", "db.internal", 5432, "engine", "user", "pass")]
    [InlineData("postgresql://app:p%40ss%3Aw%2Fd@10.0.0.5:6543/prod", "10.0.0.5", 6543, "prod", "app", "p@ss:w/d")]
    [InlineData("postgresql://app@localhost/db", "localhost", 5432, "db", "app", null)]
    public void Postgres_urls_become_connection_strings(string url, string host, int port, string database, string user, string? password)
    {
        Assert.True(DatabaseTarget.TryParseUrl(url, "/srv/ee", out var target, out _));

        Assert.Equal(DatabaseProvider.Postgres, target!.Provider);
        var builder = new NpgsqlConnectionStringBuilder(target.ConnectionString);
        Assert.Equal((host, port, database, user, password), (builder.Host, builder.Port, builder.Database, builder.Username, builder.Password));
        if (password is not null)
            Assert.DoesNotContain(password, target.Describe());
    }

    [Theory]
    [InlineData("postgresql://u:p@h/db?sslmode=require", SslMode.Require)]
    [InlineData("postgresql://u:p@h/db?sslmode=verify-full", SslMode.VerifyFull)]
    [InlineData("postgresql://u:p@h/db?sslmode=disable&application_name=x", SslMode.Disable)]
    public void Sslmode_is_honoured(string url, SslMode mode)
    {
        Assert.True(DatabaseTarget.TryParseUrl(url, "/srv/ee", out var target, out _));

        Assert.Equal(mode, new NpgsqlConnectionStringBuilder(target!.ConnectionString).SslMode);
    }

    [Theory]
    [InlineData("sqlite:///data/engine.db", "/srv/ee/data/engine.db")] // relative to the engine home
    [InlineData("sqlite:////var/lib/email-engine/engine.db", "/var/lib/email-engine/engine.db")]
    public void Sqlite_urls_follow_the_sqlalchemy_form_relative_to_the_home(string url, string path)
    {
        Assert.True(DatabaseTarget.TryParseUrl(url, "/srv/ee", out var target, out _));

        Assert.Equal(DatabaseProvider.Sqlite, target!.Provider);
        Assert.Equal($"Data Source={path}", target.ConnectionString);
    }

    [Theory]
    [InlineData("mysql://u:p@h/db")]
    [InlineData("postgresql://u:p@h")]
    [InlineData("postgresql:///db")]
    [InlineData("not a url")]
    [InlineData("sqlite://")]
    [InlineData("sqlite:/x.db")]
    [InlineData("postgresql://u:p@h/db?sslmode=sometimes")]
    public void Bad_urls_are_rejected_with_a_reason(string url)
    {
        Assert.False(DatabaseTarget.TryParseUrl(url, "/srv/ee", out _, out var error));
        Assert.NotEmpty(error);
    }
}
