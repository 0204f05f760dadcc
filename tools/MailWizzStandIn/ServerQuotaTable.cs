using MySqlConnector;

namespace MailWizzStandIn;

/// <summary>
/// With <c>--mailwizz-db</c>, a delivery server that has a <c>server_id</c> takes its status and quotas from MailWizz's
/// <c>{prefix}delivery_server</c> row, as MailWizz does: only <c>active</c> or <c>in-use</c> servers are picked, quotas
/// are <c>hourly_quota</c>/<c>daily_quota</c> (0 = unlimited) less the <c>{prefix}delivery_server_usage_log</c> rows of
/// the current clock hour and day, and every mail sent adds one such row. MailWizz keeps "sendings left" for 5 minutes
/// (<c>QUOTA_CACHE_SECONDS</c>), so a held server looks again 5 minutes later at the soonest. Hours and days are those
/// of the stand-in's clock (MailWizz uses MySQL's <c>NOW()</c>; a simulation's clock is virtual).
/// </summary>
public sealed class ServerQuotaTable(StandInOptions options, ILogger<ServerQuotaTable> logger)
{
    private static readonly TimeSpan QuotaCache = TimeSpan.FromMinutes(5);

    private string Table(string name) => $"`{options.MailWizzDbPrefix}{name}`";

    private bool Applies(DeliveryServer server) => options.MailWizzDb is not null && server.ServerId is not null;

    /// <summary>When <paramref name="server"/> may be looked at again if its row holds it now; null when it may send.</summary>
    public async Task<DateTime?> HeldUntilAsync(DeliveryServer server, DateTime now, CancellationToken ct)
    {
        if (!Applies(server))
            return null;
        var hour = new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc);
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var command = new MySqlCommand($"""
                SELECT s.status, s.hourly_quota, s.daily_quota,
                       (SELECT COUNT(*) FROM {Table("delivery_server_usage_log")} u WHERE u.server_id = s.server_id AND u.date_added >= @hour AND u.date_added < @nextHour),
                       (SELECT COUNT(*) FROM {Table("delivery_server_usage_log")} u WHERE u.server_id = s.server_id AND u.date_added >= @day AND u.date_added < @nextDay)
                FROM {Table("delivery_server")} s WHERE s.server_id = @id
                """, connection);
            command.Parameters.AddWithValue("@id", server.ServerId);
            command.Parameters.AddWithValue("@hour", hour);
            command.Parameters.AddWithValue("@nextHour", hour.AddHours(1));
            command.Parameters.AddWithValue("@day", hour.Date);
            command.Parameters.AddWithValue("@nextDay", hour.Date.AddDays(1));
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
                return Held(server, $"no row {server.ServerId} in {Table("delivery_server")}", now + QuotaCache);
            var (status, hourly, daily, usedHour, usedDay) = (reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4));
            if (status is not ("active" or "in-use"))
                return Held(server, $"status {status}", now + QuotaCache);
            if (daily > 0 && usedDay >= daily)
                return Held(server, $"daily quota {daily} used", Min(hour.Date.AddDays(1), now + QuotaCache));
            if (hourly > 0 && usedHour >= hourly)
                return Held(server, $"hourly quota {hourly} used", Min(hour.AddHours(1), now + QuotaCache));
            return null;
        }
        catch (MySqlException e)
        {
            return Held(server, $"MailWizz database: {e.Message}", now + QuotaCache);
        }
    }

    /// <summary>Counts one mail sent through <paramref name="server"/>, as MailWizz's usage log does.</summary>
    public async Task LogUsageAsync(DeliveryServer server, DateTime at, CancellationToken ct)
    {
        if (!Applies(server))
            return;
        try
        {
            await using var connection = await OpenAsync(ct);
            await using var insert = new MySqlCommand(
                $"INSERT INTO {Table("delivery_server_usage_log")} (server_id, customer_id, date_added) VALUES (@id, NULL, @at)", connection);
            insert.Parameters.AddWithValue("@id", server.ServerId);
            insert.Parameters.AddWithValue("@at", at);
            await insert.ExecuteNonQueryAsync(ct);
        }
        catch (MySqlException e)
        {
            logger.LogWarning("Usage of delivery server {Server} not logged: {Error}", server.Name, e.Message);
        }
    }

    private async Task<MySqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new MySqlConnection(options.MailWizzDb);
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

    private DateTime Held(DeliveryServer server, string why, DateTime until)
    {
        logger.LogInformation("Delivery server {Server} (server_id {ServerId}) holds its mail until {Until:O}: {Why}", server.Name, server.ServerId, until, why);
        return until;
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
