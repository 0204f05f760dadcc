using System.Text;
using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// Adds a batch's outcome counts to the hourly stats and to their daily rollup with
/// <c>INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x</c> (same SQL on PostgreSQL and SQLite): increments are
/// atomic, so concurrent ingests of different files never lose an update. Runs in the caller's transaction, so the
/// two tables always agree.
/// </summary>
public static class DeliveryStatsWriter
{
    private const int RowsPerStatement = 200;
    private static readonly string[] Counters =
        ["sent", "delivered", "deferred", "deferred_block", "bounced_hard", "bounced_soft", "bounced_block", "bounced_other", "complaints"];

    private static string Conflict(string table) => " ON CONFLICT (hour, host, vmta, isp_group, tenant_id, campaign_id) DO UPDATE SET "
        + string.Join(", ", Counters.Select(c => $"{c} = {table}.{c} + excluded.{c}"));

    public static async Task AddAsync(AppDbContext db, IReadOnlyDictionary<StatKey, OutcomeCounts> deltas, CancellationToken ct)
    {
        await UpsertAsync(db, DeliveryStat.Table, deltas, ct);
        var daily = new Dictionary<StatKey, OutcomeCounts>();
        foreach (var (key, counts) in deltas)
        {
            var day = key with { Hour = DeliveryStatRow.DayOf(key.Hour) };
            if (!daily.TryGetValue(day, out var sum))
                daily[day] = sum = new OutcomeCounts();
            sum.Add(counts);
        }
        await UpsertAsync(db, DailyDeliveryStat.Table, daily, ct);
    }

    private static async Task UpsertAsync(AppDbContext db, string table, IReadOnlyDictionary<StatKey, OutcomeCounts> deltas, CancellationToken ct)
    {
        foreach (var chunk in deltas.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder($"INSERT INTO {table} (hour, host, vmta, isp_group, tenant_id, campaign_id, ")
                .Append(string.Join(", ", Counters)).Append(") VALUES ");
            var parameters = new List<object>(chunk.Length * 15);
            foreach (var (key, c) in chunk)
            {
                if (parameters.Count > 0)
                    sql.Append(", ");
                sql.Append('(');
                object[] row = [key.Hour, key.Host, key.Vmta, key.IspGroup.Name(), key.TenantId, key.CampaignId,
                    c.Sent, c.Delivered, c.Deferred, c.DeferredBlock, c.BouncedHard, c.BouncedSoft, c.BouncedBlock, c.BouncedOther, c.Complaints];
                for (var i = 0; i < row.Length; i++)
                    sql.Append(i == 0 ? "" : ", ").Append('{').Append(parameters.Count + i).Append('}');
                parameters.AddRange(row);
                sql.Append(')');
            }
            sql.Append(Conflict(table));
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, ct);
        }
    }
}
