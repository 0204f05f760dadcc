using System.Text;
using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// Adds a batch's outcome counts to the hourly stats with <c>INSERT … ON CONFLICT DO UPDATE SET x = x + excluded.x</c>
/// (same SQL on PostgreSQL and SQLite): increments are atomic, so concurrent ingests of different files never lose
/// an update. Runs in the caller's transaction.
/// </summary>
public static class DeliveryStatsWriter
{
    private const int RowsPerStatement = 200;
    private static readonly string[] Counters =
        ["sent", "delivered", "deferred", "deferred_block", "bounced_hard", "bounced_soft", "bounced_block", "bounced_other", "complaints"];

    private static readonly string Conflict = " ON CONFLICT (hour, vmta, isp_group, tenant_id, campaign_id) DO UPDATE SET "
        + string.Join(", ", Counters.Select(c => $"{c} = delivery_stats.{c} + excluded.{c}"));

    public static async Task AddAsync(AppDbContext db, IReadOnlyDictionary<StatKey, OutcomeCounts> deltas, CancellationToken ct)
    {
        foreach (var chunk in deltas.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder("INSERT INTO delivery_stats (hour, vmta, isp_group, tenant_id, campaign_id, ")
                .Append(string.Join(", ", Counters)).Append(") VALUES ");
            var parameters = new List<object>(chunk.Length * 14);
            foreach (var (key, c) in chunk)
            {
                if (parameters.Count > 0)
                    sql.Append(", ");
                sql.Append('(');
                object[] row = [key.Hour, key.Vmta, key.IspGroup.Name(), key.TenantId, key.CampaignId,
                    c.Sent, c.Delivered, c.Deferred, c.DeferredBlock, c.BouncedHard, c.BouncedSoft, c.BouncedBlock, c.BouncedOther, c.Complaints];
                for (var i = 0; i < row.Length; i++)
                    sql.Append(i == 0 ? "" : ", ").Append('{').Append(parameters.Count + i).Append('}');
                parameters.AddRange(row);
                sql.Append(')');
            }
            sql.Append(Conflict);
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, ct);
        }
    }
}
