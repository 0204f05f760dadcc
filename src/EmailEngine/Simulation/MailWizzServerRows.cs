using EmailEngine.MailWizz.DeliveryServers;
using MySqlConnector;

namespace EmailEngine.Simulation;

/// <summary>
/// With <c>--mailwizz-db</c>: MailWizz's delivery servers as rows of its database, the way the engine and MailWizz share
/// them in production. The run adds one row per IP (server_id N for the Nth IP, <c>smtp-pmta</c> to its host, active, no
/// quota) as the operator would; the engine then writes each row's quotas and status from the IP's warmup
/// (<c>MAILWIZZ_DB_URL</c>), and the MailWizz stand-in sends through a server only within its row.
/// </summary>
public static class MailWizzServerRows
{
    public const string Prefix = "mw_";

    /// <param name="servers">server_id, name and the relay port of each IP's host.</param>
    public static async Task CreateAsync(string connectionString, IReadOnlyList<(int ServerId, string Name, int Port)> servers, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        foreach (var (serverId, name, port) in servers)
        {
            await using var insert = new MySqlCommand($"""
                INSERT INTO `{Prefix}delivery_server` (server_id, type, name, hostname, port, from_email, status, date_added, last_updated)
                VALUES (@id, 'smtp-pmta', @name, '127.0.0.1', @port, 'hello@sim.example', 'active', NOW(), NOW())
                """, connection);
            insert.Parameters.AddWithValue("@id", serverId);
            insert.Parameters.AddWithValue("@name", name);
            insert.Parameters.AddWithValue("@port", port);
            try
            {
                await insert.ExecuteNonQueryAsync(ct);
            }
            catch (MySqlException e) when (e.ErrorCode is MySqlErrorCode.NoSuchTable or MySqlErrorCode.DuplicateKeyEntry)
            {
                throw new InvalidOperationException(e.ErrorCode == MySqlErrorCode.NoSuchTable
                    ? $"--mailwizz-db: no {Prefix}delivery_server table in {connection.Database}: point it at MailWizz's database (or a copy of its delivery-server tables)"
                    : $"--mailwizz-db: server_id {serverId} already exists in {connection.Database}: the run needs delivery-server tables without rows", e);
            }
        }
    }

    /// <summary>Each row as the run left it, and how many mails MailWizz logged through it per virtual day.</summary>
    public static async Task<IReadOnlyList<ServerRowState>> ReadAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = await OpenAsync(connectionString, ct);
        var sent = new List<(int ServerId, DateOnly Day, int Count)>();
        await using (var usage = new MySqlCommand(
            $"SELECT server_id, DATE(date_added), COUNT(*) FROM `{Prefix}delivery_server_usage_log` GROUP BY server_id, DATE(date_added)", connection))
        await using (var reader = await usage.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
                sent.Add((reader.GetInt32(0), DateOnly.FromDateTime(reader.GetDateTime(1)), reader.GetInt32(2)));
        var rows = new List<ServerRowState>();
        await using (var select = new MySqlCommand($"SELECT server_id, name, status, hourly_quota, daily_quota FROM `{Prefix}delivery_server` ORDER BY server_id", connection))
        await using (var reader = await select.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetInt32(0);
                rows.Add(new ServerRowState(id, reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4),
                    sent.Where(s => s.ServerId == id).ToDictionary(s => s.Day, s => s.Count)));
            }
        return rows;
    }

    private static Task<MySqlConnection> OpenAsync(string connectionString, CancellationToken ct) =>
        new MailWizzDatabase(new DeliveryServerOptions(connectionString, Prefix, TimeSpan.Zero)).OpenAsync(ct);
}

public sealed record ServerRowState(int ServerId, string Name, string Status, int HourlyQuota, int DailyQuota, IReadOnlyDictionary<DateOnly, int> SentPerDay);
