using MySqlConnector;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>
/// The few statements the engine runs on MailWizz's MySQL database (its customer API cannot write delivery servers).
/// Only <c>hourly_quota</c>, <c>daily_quota</c>, <c>status</c> and <c>last_updated</c> are ever written: never the
/// encrypted <c>password</c>, never the PHP-serialized <c>meta_data</c>. A server with a MailWizz warmup plan is left
/// alone (its hourly command would overwrite the quotas), and so is one being deleted. MailWizz caches "sendings left"
/// for 5 minutes and a raw UPDATE does not clear that cache, so a change takes effect within 5 minutes, not at once.
/// </summary>
public sealed class MailWizzDatabase(DeliveryServerOptions options)
{
    /// <summary>MailWizz's <c>QUOTA_CACHE_SECONDS</c>.</summary>
    public static readonly TimeSpan QuotaCache = TimeSpan.FromMinutes(5);

    public async Task<MySqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(options.ConnectionString ?? throw new InvalidOperationException("MAILWIZZ_DB_URL is not set"));
        try
        {
            await connection.OpenAsync(ct);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ids of the <c>smtp-pmta</c> servers named <paramref name="name"/> (not being deleted).</summary>
    public async Task<IReadOnlyList<int>> FindByNameAsync(MySqlConnection connection, string name, CancellationToken ct)
    {
        await using var command = new MySqlCommand(
            $"SELECT server_id FROM {options.Table("delivery_server")} WHERE name = @name AND type = 'smtp-pmta' AND status <> 'pending-delete' ORDER BY server_id",
            connection);
        command.Parameters.AddWithValue("@name", name);
        var ids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            ids.Add(reader.GetInt32(0));
        return ids;
    }

    /// <summary>
    /// Writes the quotas and status, and says how it went: <see cref="SyncOutcome.Written"/> only when the row was
    /// there to take them. <c>in-use</c> (MailWizz's own "busy sending" mark) is kept when the server stays active.
    /// </summary>
    public async Task<SyncOutcome> WriteAsync(MySqlConnection connection, int serverId, DeliveryServerValues values, CancellationToken ct)
    {
        await using var update = new MySqlCommand(
            $"""
             UPDATE {options.Table("delivery_server")}
             SET hourly_quota = @hourly, daily_quota = @daily,
                 status = CASE WHEN @status = 'active' AND status = 'in-use' THEN status ELSE @status END,
                 last_updated = NOW()
             WHERE server_id = @id AND warmup_plan_id IS NULL AND status <> 'pending-delete'
             """, connection);
        update.Parameters.AddWithValue("@hourly", values.HourlyQuota);
        update.Parameters.AddWithValue("@daily", values.DailyQuota);
        update.Parameters.AddWithValue("@status", values.Status);
        update.Parameters.AddWithValue("@id", serverId);
        if (await update.ExecuteNonQueryAsync(ct) == 1)
            return SyncOutcome.Written;
        // Nothing matched: say why, from the row itself.
        await using var check = new MySqlCommand(
            $"SELECT warmup_plan_id IS NOT NULL, status FROM {options.Table("delivery_server")} WHERE server_id = @id", connection);
        check.Parameters.AddWithValue("@id", serverId);
        await using var reader = await check.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return SyncOutcome.Missing;
        return reader.GetBoolean(0) ? SyncOutcome.WarmupPlan : SyncOutcome.PendingDelete;
    }
}
