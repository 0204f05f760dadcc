using System.Diagnostics;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Bench;

/// <summary>
/// <c>./run bench stats</c>: fills 90 days of hourly stats for a fleet (IPs × ISP groups × tenants × campaigns,
/// generated in the database itself, with their daily rollup), then times the stats queries the API and the warmup gates run, cold and warm,
/// and deletes what it added. The rows use negative tenant and campaign ids and <c>bench-</c> vmtas, so real stats
/// are neither read nor touched.
/// </summary>
public sealed class StatsBenchmark(AppDbContext db, DatabaseTarget database, DeliveryStatsQuery stats)
{
    public sealed record Shape(int Ips, int Tenants, int CampaignsPerTenant, int Days);

    public async Task<IReadOnlyList<(string Query, double MedianMs)>> RunAsync(Shape shape, TextWriter output, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var firstHour = DeliveryStatRow.HourOf(now) - shape.Days * 24 + 1;
        var watch = Stopwatch.StartNew();
        var rows = await FillAsync(shape, ct);
        output.WriteLine($"filled {rows:N0} hourly rows ({shape.Days} days × {shape.Ips} IPs × {IspGroups.All.Count} ISP groups × {shape.Tenants} tenants × " +
                         $"{shape.CampaignsPerTenant} campaigns) in {watch.Elapsed.TotalSeconds:F1} s");

        var from = DeliveryStatRow.StartOf(firstHour);
        var to = now;
        var queries = new (string Name, Func<Task<int>> Run)[]
        {
            ($"{shape.Days} days by day, every IP × ISP (operator)", async () => (await stats.GroupedAsync(from, to, 24, By(StatsDimension.Ip, StatsDimension.Isp), null, ct)).Count),
            ($"{shape.Days} days by day × campaign, one tenant", async () => (await stats.GroupedAsync(from, to, 24, By(StatsDimension.Campaign), -1, ct)).Count),
            ($"{shape.Days} days by hour, one tenant", async () => (await stats.GroupedAsync(from, to, 1, By(), -1, ct)).Count),
            ($"{shape.Days} days totals by tenant (operator)", async () => (await stats.GroupedAsync(from, to, 24 * shape.Days, By(StatsDimension.Tenant), null, ct)).Count),
            ("7-day totals of one IP at Gmail (warmup gate)", async () => (await stats.TotalsAsync(VmtaOf(1), IspGroup.Gmail, to.AddDays(-7), to, ct)).Sent > 0 ? 1 : 0),
        };
        var results = new List<(string, double)>();
        foreach (var (name, run) in queries)
        {
            var timings = new List<double>();
            var count = 0;
            for (var i = 0; i < 7; i++)
            {
                var started = Stopwatch.GetTimestamp();
                count = await run();
                timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var median = Runs.MedianBy(timings, t => t);
            results.Add((name, median));
            output.WriteLine($"  {name}: {count:N0} rows, first {timings[0]:F1} ms, median {median:F1} ms, max {timings.Max():F1} ms");
        }
        await DeleteAsync(ct);
        return results;
    }

    private static HashSet<StatsDimension> By(params StatsDimension[] dimensions) => [.. dimensions];

    /// <summary>The virtual MTA the filled stats carry for IP number <paramref name="ip"/> (1-based).</summary>
    public static string VmtaOf(int ip) => $"bench-{ip}";

    /// <summary>
    /// Set-based inserts of <see cref="Shape.Days"/> days up to this hour (after removing an earlier fill): every (hour, vmta,
    /// group, tenant, campaign) with plausible counts, then the daily rollup.
    /// </summary>
    public async Task<long> FillAsync(Shape shape, CancellationToken ct)
    {
        await DeleteAsync(ct);
        var lastHour = DeliveryStatRow.HourOf(DateTimeOffset.UtcNow);
        var firstHour = lastHour - shape.Days * 24 + 1;
        var groups = string.Join(" UNION ALL ", IspGroups.All.Select((g, i) => $"SELECT '{g.Name()}' AS name, {i} AS n"));
        var series = database.Provider == DatabaseProvider.Postgres
            ? (Func<string, long, long, string>)((name, low, high) => $"(SELECT generate_series({low}, {high}) AS {name})")
            : (name, low, high) => $"(WITH RECURSIVE r(v) AS (SELECT {low} UNION ALL SELECT v + 1 FROM r WHERE v < {high}) SELECT v AS {name} FROM r)";
        var sql = $"""
            INSERT INTO delivery_stats (hour, vmta, isp_group, tenant_id, campaign_id, sent, delivered, deferred, deferred_block,
                                        bounced_hard, bounced_soft, bounced_block, bounced_other, complaints)
            SELECT h.hour, 'bench-' || ip.ip, g.name, -t.tenant, -(t.tenant * 1000 + c.campaign),
                   100 + (h.hour + ip.ip + g.n) % 50, 95 + (h.hour + ip.ip + g.n) % 50, (h.hour + g.n) % 7, (h.hour + g.n) % 2,
                   (h.hour + ip.ip) % 3, (h.hour + c.campaign) % 2, g.n % 2, 0, (h.hour + t.tenant) % 2
            FROM {series("hour", firstHour, lastHour)} h
            CROSS JOIN {series("ip", 1, shape.Ips)} ip
            CROSS JOIN ({groups}) g
            CROSS JOIN {series("tenant", 1, shape.Tenants)} t
            CROSS JOIN {series("campaign", 1, shape.CampaignsPerTenant)} c
            """;
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var rows = await db.Database.ExecuteSqlRawAsync(sql, ct);
        // The daily rollup, as ingest keeps it.
        await db.Database.ExecuteSqlRawAsync($"""
            INSERT INTO {DailyDeliveryStat.Table} (hour, vmta, isp_group, tenant_id, campaign_id, sent, delivered, deferred, deferred_block,
                                                   bounced_hard, bounced_soft, bounced_block, bounced_other, complaints)
            SELECT (hour / 24) * 24, vmta, isp_group, tenant_id, campaign_id, SUM(sent), SUM(delivered), SUM(deferred), SUM(deferred_block),
                   SUM(bounced_hard), SUM(bounced_soft), SUM(bounced_block), SUM(bounced_other), SUM(complaints)
            FROM {DeliveryStat.Table} WHERE tenant_id < 0 AND vmta LIKE 'bench-%'
            GROUP BY (hour / 24) * 24, vmta, isp_group, tenant_id, campaign_id
            """, ct);
        if (database.Provider == DatabaseProvider.Postgres)
            await db.Database.ExecuteSqlRawAsync($"ANALYZE {DeliveryStat.Table}; ANALYZE {DailyDeliveryStat.Table}", ct);
        return rows;
    }

    public async Task DeleteAsync(CancellationToken ct)
    {
        await db.Set<DeliveryStat>().Where(s => s.TenantId < 0 && s.Vmta.StartsWith("bench-")).ExecuteDeleteAsync(ct);
        await db.Set<DailyDeliveryStat>().Where(s => s.TenantId < 0 && s.Vmta.StartsWith("bench-")).ExecuteDeleteAsync(ct);
    }
}
