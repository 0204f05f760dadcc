using MySqlConnector;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A fresh database on the test MariaDB server (<c>EE_TEST_MARIADB</c>, started by <c>./test</c>), dropped on dispose,
/// holding MailWizz's delivery-server tables under a given prefix: the 2.4+ columns of <c>delivery_server</c> as the
/// reference lists them (shared/reference/monitoring.md §2.2) and <c>delivery_server_usage_log</c>.
/// </summary>
public sealed class MariaDatabase : IAsyncDisposable
{
    private MariaDatabase(string name, string connectionString) => (Name, ConnectionString) = (name, connectionString);

    public string Name { get; }
    public string ConnectionString { get; }

    /// <summary>The same database in the MAILWIZZ_DB_URL form the engine is configured with.</summary>
    public string Url
    {
        get
        {
            var b = new MySqlConnectionStringBuilder(ConnectionString);
            return $"mysql://{Uri.EscapeDataString(b.UserID)}:{Uri.EscapeDataString(b.Password)}@{b.Server}:{b.Port}/{Name}";
        }
    }

    public static async Task<MariaDatabase> CreateAsync(params string[] prefixes)
    {
        var name = $"mw_test_{Guid.NewGuid():N}";
        await using (var admin = new MySqlConnection(TestEnvironment.Require("EE_TEST_MARIADB")))
        {
            await admin.OpenAsync();
            await using var create = new MySqlCommand($"CREATE DATABASE `{name}` CHARACTER SET utf8mb4", admin);
            await create.ExecuteNonQueryAsync();
        }
        var database = new MariaDatabase(name, new MySqlConnectionStringBuilder(TestEnvironment.Require("EE_TEST_MARIADB")) { Database = name }.ConnectionString);
        foreach (var prefix in prefixes.DefaultIfEmpty("mw_"))
            await database.ExecuteAsync(Schema(prefix));
        return database;
    }

    private static string Schema(string p) => $"""
        CREATE TABLE `{p}delivery_server` (
          `server_id` INT(11) NOT NULL AUTO_INCREMENT,
          `customer_id` INT(11) NULL,
          `bounce_server_id` INT(11) NULL,
          `tracking_domain_id` INT(11) NULL,
          `warmup_plan_id` INT(11) NULL,
          `type` CHAR(20) NOT NULL,
          `name` VARCHAR(255) NULL,
          `hostname` VARCHAR(255) NOT NULL,
          `username` VARCHAR(255) NULL,
          `password` VARCHAR(255) NULL,
          `port` INT(5) NULL DEFAULT 25,
          `protocol` CHAR(10) NULL,
          `timeout` INT(3) NULL DEFAULT 30,
          `from_email` VARCHAR(255) NOT NULL,
          `from_name` VARCHAR(255) NULL,
          `reply_to_email` VARCHAR(255) NULL,
          `probability` INT(3) NOT NULL DEFAULT 100,
          `second_quota` INT(11) NOT NULL DEFAULT 0,
          `minute_quota` INT(11) NOT NULL DEFAULT 0,
          `hourly_quota` INT(11) NOT NULL DEFAULT 0,
          `daily_quota` INT(11) NOT NULL DEFAULT 0,
          `monthly_quota` INT(11) NOT NULL DEFAULT 0,
          `pause_after_send` INT(11) NOT NULL DEFAULT 0,
          `meta_data` BLOB NULL,
          `confirmation_key` CHAR(40) NULL,
          `locked` ENUM('yes','no') NOT NULL DEFAULT 'no',
          `use_for` INT(11) NOT NULL DEFAULT 1,
          `signing_enabled` ENUM('yes','no') NOT NULL DEFAULT 'yes',
          `force_from` VARCHAR(50) NOT NULL DEFAULT 'never',
          `force_from_name` VARCHAR(50) NOT NULL DEFAULT 'never',
          `force_reply_to` VARCHAR(50) NOT NULL DEFAULT 'never',
          `force_sender` ENUM('yes','no') NOT NULL DEFAULT 'no',
          `must_confirm_delivery` ENUM('yes','no') NOT NULL DEFAULT 'no',
          `max_connection_messages` INT(11) NOT NULL DEFAULT 1,
          `status` CHAR(15) NOT NULL DEFAULT 'inactive',
          `date_added` DATETIME NOT NULL,
          `last_updated` DATETIME NOT NULL,
          PRIMARY KEY (`server_id`),
          KEY `{p}idx_gen0` (`status`, `hourly_quota`, `probability`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        CREATE TABLE `{p}delivery_server_usage_log` (
          `log_id` BIGINT(20) NOT NULL AUTO_INCREMENT,
          `server_id` INT(11) NULL,
          `customer_id` INT(11) NULL,
          `delivery_for` CHAR(15) NOT NULL DEFAULT 'system',
          `customer_countable` ENUM('yes','no') NOT NULL DEFAULT 'yes',
          `date_added` DATETIME NOT NULL,
          PRIMARY KEY (`log_id`),
          KEY `{p}usage_server_date` (`server_id`, `date_added`)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        """;

    /// <summary>
    /// A server as MailWizz's UI would have saved it: an encrypted password and PHP-serialized meta data holding the
    /// <c>X-Virtual-MTA</c> header. Returns its <c>server_id</c>.
    /// </summary>
    public async Task<int> AddServerAsync(string name, string virtualMta, string prefix = "mw_", string status = "inactive", int? warmupPlanId = null)
    {
        const string header = "X-Virtual-MTA";
        var meta = $"a:1:{{s:18:\"additional_headers\";a:1:{{i:0;a:2:{{s:4:\"name\";s:{header.Length}:\"{header}\";s:5:\"value\";s:{virtualMta.Length}:\"{virtualMta}\";}}}}}}";
        await using var connection = await OpenAsync();
        await using var insert = new MySqlCommand($"""
            INSERT INTO `{prefix}delivery_server` (warmup_plan_id, type, name, hostname, username, password, port, from_email, meta_data, status, date_added, last_updated)
            VALUES (@plan, 'smtp-pmta', @name, 'pmta.example', 'relay', 'b64:c2VjcmV0LWVuY3J5cHRlZA==', 2525, 'noreply@domain1.com', @meta, @status, NOW(), NOW())
            """, connection);
        insert.Parameters.AddWithValue("@plan", warmupPlanId);
        insert.Parameters.AddWithValue("@name", name);
        insert.Parameters.AddWithValue("@meta", System.Text.Encoding.UTF8.GetBytes(meta));
        insert.Parameters.AddWithValue("@status", status);
        await insert.ExecuteNonQueryAsync();
        return (int)insert.LastInsertedId;
    }

    public sealed record ServerRow(string Status, int HourlyQuota, int DailyQuota, int MonthlyQuota, int? WarmupPlanId, string Secrets);

    /// <summary>The columns the engine may write, and a checksum of those it must never touch (password, meta_data).</summary>
    public async Task<ServerRow> ServerAsync(int serverId, string prefix = "mw_")
    {
        await using var connection = await OpenAsync();
        await using var select = new MySqlCommand($"""
            SELECT status, hourly_quota, daily_quota, monthly_quota, warmup_plan_id, SHA2(CONCAT(IFNULL(password, ''), '|', HEX(IFNULL(meta_data, ''))), 256)
            FROM `{prefix}delivery_server` WHERE server_id = @id
            """, connection);
        select.Parameters.AddWithValue("@id", serverId);
        await using var reader = await select.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no server {serverId} in {prefix}delivery_server");
        return new(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetString(5));
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new MySqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<MySqlConnection> OpenAsync()
    {
        var connection = new MySqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        MySqlConnection.ClearAllPools();
        await using var admin = new MySqlConnection(TestEnvironment.Require("EE_TEST_MARIADB"));
        await admin.OpenAsync();
        await using var drop = new MySqlCommand($"DROP DATABASE IF EXISTS `{Name}`", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
