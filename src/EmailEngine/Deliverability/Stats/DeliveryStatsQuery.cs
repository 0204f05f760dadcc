using System.Data.Common;
using System.Text;
using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability.Stats;

public enum StatsDimension { Ip, Isp, Tenant, Campaign, Host }

/// <summary>One row of a grouped stats query; dimensions not grouped by are null.</summary>
public sealed record StatsRow(DateTimeOffset Time, string? Vmta, IspGroup? Isp, long? TenantId, long? CampaignId, string? Host, OutcomeTotals Totals);

/// <summary>
/// Reads the hourly stats and their daily rollup (never raw records). Ranges cover whole hours: every hour that starts in [from, to).
/// <see cref="TotalsAsync"/> is what the warmup gates call.
/// </summary>
public sealed class DeliveryStatsQuery(AppDbContext db) : IWarmupOutcomes
{
    private const string Sums = "SUM(sent), SUM(delivered), SUM(deferred), SUM(deferred_block), SUM(bounced_hard), SUM(bounced_soft), " +
        "SUM(bounced_block), SUM(bounced_other), SUM(complaints)";

    /// <summary>Outcomes of one IP (vmta), optionally at one ISP group, between two instants.</summary>
    public async Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var (fromHour, toHour) = Hours(from, to);
        var rows = db.Set<DeliveryStat>().AsNoTracking().Where(s => s.Vmta == vmta && s.Hour >= fromHour && s.Hour < toHour);
        if (group is { } only)
            rows = rows.Where(s => s.IspGroup == only);
        var totals = await rows.GroupBy(_ => 1).Select(g => new OutcomeTotals(g.Sum(s => s.Sent), g.Sum(s => s.Delivered), g.Sum(s => s.Deferred),
            g.Sum(s => s.DeferredBlock), g.Sum(s => s.BouncedHard), g.Sum(s => s.BouncedSoft), g.Sum(s => s.BouncedBlock),
            g.Sum(s => s.BouncedOther), g.Sum(s => s.Complaints))).SingleOrDefaultAsync(ct);
        return totals ?? OutcomeTotals.Zero;
    }

    /// <summary>One read for every IP: sums per vmta, ISP group and whether the hour is within the last 24 hours.</summary>
    public async Task<IReadOnlyDictionary<(string Vmta, IspGroup Group), (OutcomeTotals Day, OutcomeTotals Week)>> DayAndWeekAsync(
        IReadOnlyCollection<string> vmtas, DateTimeOffset to, CancellationToken ct)
    {
        var (fromWeek, toHour) = Hours(to.AddDays(-7), to);
        var fromDay = Hours(to.AddHours(-24), to).From;
        var names = vmtas.ToList();
        var rows = await db.Set<DeliveryStat>().AsNoTracking()
            .Where(s => names.Contains(s.Vmta) && s.Hour >= fromWeek && s.Hour < toHour)
            .GroupBy(s => new { s.Vmta, s.IspGroup, Recent = s.Hour >= fromDay })
            .Select(g => new
            {
                g.Key.Vmta, g.Key.IspGroup, g.Key.Recent,
                Totals = new OutcomeTotals(g.Sum(s => s.Sent), g.Sum(s => s.Delivered), g.Sum(s => s.Deferred), g.Sum(s => s.DeferredBlock),
                    g.Sum(s => s.BouncedHard), g.Sum(s => s.BouncedSoft), g.Sum(s => s.BouncedBlock), g.Sum(s => s.BouncedOther), g.Sum(s => s.Complaints)),
            }).ToListAsync(ct);
        var totals = names.SelectMany(vmta => IspGroups.All.Select(group => (vmta, group)))
            .ToDictionary(key => key, _ => (Day: OutcomeTotals.Zero, Week: OutcomeTotals.Zero));
        foreach (var row in rows.Where(r => totals.ContainsKey((r.Vmta, r.IspGroup))))
        {
            var (day, week) = totals[(row.Vmta, row.IspGroup)];
            totals[(row.Vmta, row.IspGroup)] = (row.Recent ? day + row.Totals : day, week + row.Totals);
        }
        return totals;
    }

    /// <summary>
    /// Totals per time bucket (hours per bucket: 1 or 24) and per chosen dimensions, optionally for one tenant. The
    /// GROUP BY is built from a fixed set of column names (never from input), so it is one SQL statement on both providers.
    /// </summary>
    public async Task<List<StatsRow>> GroupedAsync(DateTimeOffset from, DateTimeOffset to, int hoursPerBucket,
        IReadOnlySet<StatsDimension> dimensions, long? tenantId, CancellationToken ct)
    {
        var (fromHour, toHour) = Hours(from, to);
        // Day-sized buckets read the whole days of the range from the daily rollup, and only the partial days at its
        // edges from the hourly rows.
        var firstDay = DeliveryStatRow.DayOf(fromHour + 23);
        var lastDay = DeliveryStatRow.DayOf(toHour);
        if (hoursPerBucket % 24 != 0 || firstDay >= lastDay)
            return await QueryAsync(DeliveryStat.Table, fromHour, toHour, hoursPerBucket, dimensions, tenantId, ct);
        var parts = new List<StatsRow>();
        if (fromHour < firstDay)
            parts.AddRange(await QueryAsync(DeliveryStat.Table, fromHour, firstDay, hoursPerBucket, dimensions, tenantId, ct));
        parts.AddRange(await QueryAsync(DailyDeliveryStat.Table, firstDay, lastDay, hoursPerBucket, dimensions, tenantId, ct));
        if (lastDay < toHour)
            parts.AddRange(await QueryAsync(DeliveryStat.Table, lastDay, toHour, hoursPerBucket, dimensions, tenantId, ct));
        // A bucket of several days may hold an edge and whole days: add its parts up.
        return parts.GroupBy(r => (r.Time, r.Vmta, r.Isp, r.TenantId, r.CampaignId, r.Host))
            .Select(g => g.Skip(1).Aggregate(g.First(), (sum, r) => sum with { Totals = sum.Totals + r.Totals }))
            .OrderBy(r => r.Time).ToList();
    }

    private async Task<List<StatsRow>> QueryAsync(string table, long fromHour, long toHour, int hoursPerBucket,
        IReadOnlySet<StatsDimension> dimensions, long? tenantId, CancellationToken ct)
    {
        var bucket = $"(hour / {hoursPerBucket}) * {hoursPerBucket}";
        string Column(StatsDimension d, string column, string none) => dimensions.Contains(d) ? column : none;
        var selected = new[] { bucket, Column(StatsDimension.Ip, "vmta", "NULL"), Column(StatsDimension.Isp, "isp_group", "NULL"),
            Column(StatsDimension.Tenant, "tenant_id", "NULL"), Column(StatsDimension.Campaign, "campaign_id", "NULL"),
            Column(StatsDimension.Host, "host", "NULL") };
        var sql = new StringBuilder($"SELECT {string.Join(", ", selected)}, {Sums} FROM {table} WHERE hour >= @from AND hour < @to");
        if (tenantId is not null)
            sql.Append(" AND tenant_id = @tenant");
        sql.Append(" GROUP BY ").Append(string.Join(", ", selected.Where(c => c != "NULL"))).Append(" ORDER BY 1");

        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql.ToString();
            Add(command, "@from", fromHour);
            Add(command, "@to", toHour);
            if (tenantId is { } tenant)
                Add(command, "@tenant", tenant);
            var rows = new List<StatsRow>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                long Long(int i) => reader.IsDBNull(i) ? 0 : Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);
                long? Nullable(int i) => reader.IsDBNull(i) ? null : Long(i);
                rows.Add(new StatsRow(DeliveryStatRow.StartOf(Long(0)), reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.IsDBNull(2) ? null : Enum.Parse<IspGroup>(reader.GetString(2), true), Nullable(3), Nullable(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5),
                    new OutcomeTotals(Long(6), Long(7), Long(8), Long(9), Long(10), Long(11), Long(12), Long(13), Long(14))));
            }
            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static (long From, long To) Hours(DateTimeOffset from, DateTimeOffset to) =>
        (DeliveryStatRow.HourOf(from) + (from.ToUnixTimeSeconds() % 3600 == 0 ? 0 : 1), DeliveryStatRow.HourOf(to.AddTicks(-1)) + 1);

    private static void Add(DbCommand command, string name, long value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
