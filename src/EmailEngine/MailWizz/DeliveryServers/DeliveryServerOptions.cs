using System.Text.RegularExpressions;
using EmailEngine.Hosting;
using MySqlConnector;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>
/// <c>MAILWIZZ_DB_URL</c> (<c>mysql://user:pass@host:port/db</c>, also <c>mariadb://</c>; unset = no database access,
/// the operator imports a CSV instead), <c>MAILWIZZ_DB_TABLE_PREFIX</c> (MailWizz's install-time prefix, <c>mw_</c>),
/// <c>MAILWIZZ_DB_SYNC_SECONDS</c> (60; 0 = off: how often the worker looks for delivery servers that are due). A
/// delivery server's hostname is its IP's PowerMTA host's <c>smtp_host</c> (the default host: <c>PMTA_SSH_HOST</c>), on port 2525.
/// </summary>
public sealed partial record DeliveryServerOptions(string? ConnectionString, string TablePrefix, TimeSpan SyncInterval)
{
    /// <summary>PowerMTA's relay listener for MailWizz (see <see cref="PowerMta.RenderConfig"/>).</summary>
    public const int SmtpPort = 2525;

    public bool HasDatabase => ConnectionString is not null;

    public static DeliveryServerOptions From(EngineSettings settings)
    {
        var prefix = settings.Raw.TryGetValue("MAILWIZZ_DB_TABLE_PREFIX", out var raw) ? raw.Trim() : "mw_";
        if (!PrefixPattern().IsMatch(prefix))
            throw new ConfigurationError("MAILWIZZ_DB_TABLE_PREFIX", "expected letters, digits and underscores only (MailWizz's default is mw_)");
        var url = settings.Get("MAILWIZZ_DB_URL");
        return new(url is null ? null : ParseUrl(url), prefix,
            TimeSpan.FromSeconds(settings.Whole("MAILWIZZ_DB_SYNC_SECONDS", 60, min: 0)));
    }

    /// <summary>A table of MailWizz's, quoted: the prefix is checked, so the name is safe to put in SQL text.</summary>
    public string Table(string name) => $"`{TablePrefix}{name}`";

    /// <summary>Where the database is, safe to log and show: never the user or password.</summary>
    public string? Describe()
    {
        if (ConnectionString is null)
            return null;
        var builder = new MySqlConnectionStringBuilder(ConnectionString);
        return $"{builder.Server}:{builder.Port}/{builder.Database}";
    }

    /// <summary>The MySqlConnector connection string of a <c>mysql://</c> URL.</summary>
    /// <exception cref="ConfigurationError">Not such a URL (named as <c>MAILWIZZ_DB_URL</c>).</exception>
    public static string ParseUrl(string value)
    {
        const string expected = "expected mysql://user:pass@host:port/database (URL-encoded user and password)";
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("mysql" or "mariadb") || uri.Host.Length == 0)
            throw new ConfigurationError("MAILWIZZ_DB_URL", expected);
        var database = Uri.UnescapeDataString(uri.AbsolutePath.Trim('/'));
        if (database.Length == 0)
            throw new ConfigurationError("MAILWIZZ_DB_URL", $"no database name: {expected}");
        var userInfo = uri.UserInfo.Split(':', 2);
        return new MySqlConnectionStringBuilder
        {
            Server = uri.Host,
            Port = (uint)(uri.IsDefaultPort || uri.Port < 0 ? 3306 : uri.Port),
            Database = database,
            UserID = Uri.UnescapeDataString(userInfo[0]),
            Password = userInfo.Length == 2 ? Uri.UnescapeDataString(userInfo[1]) : "",
            // Rows matched, not rows changed: rewriting today's values again still proves the server row exists.
            UseAffectedRows = false,
            ConnectionTimeout = 10,
            DefaultCommandTimeout = 30,
        }.ConnectionString;
    }

    [GeneratedRegex("^[A-Za-z0-9_]{0,32}$")]
    private static partial Regex PrefixPattern();
}
