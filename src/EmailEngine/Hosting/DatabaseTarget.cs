using Npgsql;

namespace EmailEngine.Hosting;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>Where the engine keeps its state, parsed from DATABASE_URL.</summary>
public sealed record DatabaseTarget(DatabaseProvider Provider, string ConnectionString)
{
    public const string DefaultSqlitePath = "data/email-engine.db";

    /// <summary>The embedded default: <c>data/email-engine.db</c> under the engine's home.</summary>
    public static DatabaseTarget EmbeddedDefault(string home) => Sqlite(Path.Combine(home, DefaultSqlitePath));

    public static DatabaseTarget Sqlite(string path) => new(DatabaseProvider.Sqlite, $"Data Source={path}");

    /// <summary>A description safe to log: never the password.</summary>
    public string Describe()
    {
        if (Provider == DatabaseProvider.Sqlite)
            return $"SQLite {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource}";
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }

    /// <summary>
    /// Accepts <c>postgresql://user:pass@host:port/db?sslmode=require</c> (also <c>postgres://</c>, URL-encoded
    /// user and password) and SQLAlchemy-style <c>sqlite:///relative/file.db</c> (under <paramref name="home"/>) or
    /// <c>sqlite:////absolute/file.db</c>.
    /// </summary>
    public static bool TryParseUrl(string value, string home, out DatabaseTarget? target, out string error)
    {
        target = null;
        error = "";
        value = value.Trim();
        if (value.StartsWith("sqlite://", StringComparison.OrdinalIgnoreCase))
        {
            var path = value["sqlite://".Length..];
            if (!path.StartsWith('/') || path.Length < 2)
            {
                error = "expected sqlite:///relative/path.db or sqlite:////absolute/path.db";
                return false;
            }
            target = Sqlite(Path.Combine(home, Uri.UnescapeDataString(path[1..])));
            return true;
        }
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres"))
        {
            error = "expected postgresql://user:pass@host:port/db or sqlite:///path/file.db";
            return false;
        }
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (uri.Host.Length == 0 || database.Length == 0)
        {
            error = "a PostgreSQL URL needs a host and a database name (postgresql://user:pass@host:port/db)";
            return false;
        }
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Database = database,
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length == 2) builder.Password = Uri.UnescapeDataString(userInfo[1]);
        foreach (var (key, val) in ParseQuery(uri.Query))
        {
            if (!key.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
                continue;
            if (!Enum.TryParse<SslMode>(val.Replace("-", ""), ignoreCase: true, out var mode))
            {
                error = $"unknown sslmode '{val}' (disable, allow, prefer, require, verify-ca, verify-full)";
                return false;
            }
            builder.SslMode = mode;
        }
        target = new DatabaseTarget(DatabaseProvider.Postgres, builder.ConnectionString);
        return true;
    }

    private static IEnumerable<(string Key, string Value)> ParseQuery(string query) =>
        query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(parts => (Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : ""));
}
