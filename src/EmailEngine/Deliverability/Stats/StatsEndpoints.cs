using System.Globalization;
using System.Security.Claims;
using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability.Stats;

/// <summary>
/// <c>GET /api/v1/stats?from&amp;to&amp;granularity=hour|day&amp;group_by=ip,isp,tenant,campaign,host[&amp;tenant=slug]</c>:
/// sent, delivered, deferred, bounces by class, complaints and rates per bucket, from the hourly stats. A tenant key
/// sees only its tenant's mail.
/// </summary>
public static class StatsEndpoints
{
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // The items' keys follow group_by, so the body is described as an open object.
        app.MapGroup("/api/v1/stats").WithTags("Stats").MapGet("/", GetStats).WithName("GetStats")
            .Produces<Dictionary<string, object?>>().ProducesValidationProblem().ProducesProblem(404);
        return app;
    }

    public static async Task<IResult> GetStats(string? from, string? to, string? granularity, string? group_by, string? tenant,
        ClaimsPrincipal user, TenantScope tenants, DeliveryStatsQuery stats, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var end = ParseInstant(to, "to", errors) ?? clock.GetUtcNow();
        var start = ParseInstant(from, "from", errors) ?? end.AddDays(-1);
        if (!errors.Any && (start >= end || end - start > MaxRange))
            errors.Add("from", $"must be before 'to', at most {MaxRange.TotalDays:0} days earlier");
        var hours = (granularity ?? "hour").ToLowerInvariant() switch { "hour" => 1, "day" => 24, _ => 0 };
        if (hours == 0)
            errors.Add("granularity", "must be 'hour' or 'day'");
        var dimensions = new HashSet<StatsDimension>();
        foreach (var name in (group_by ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Enum.TryParse<StatsDimension>(name, true, out var dimension) && !int.TryParse(name, out _))
                dimensions.Add(dimension);
            else
                errors.Add("group_by", $"unknown dimension '{name}': use ip, isp, tenant, campaign, host");
        }
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        var scope = await tenants.ForReadAsync(user, tenant, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();

        var rows = await stats.GroupedAsync(start, end, hours, dimensions, scope.Value, ct);
        var names = await NamesAsync(db, rows, ct);
        var items = rows.Select(row =>
        {
            var item = new Dictionary<string, object?> { ["time"] = row.Time };
            if (dimensions.Contains(StatsDimension.Ip))
            {
                item["vmta"] = row.Vmta is "" ? null : row.Vmta;
                item["ip"] = row.Vmta is { } v && names.Ips.TryGetValue(v, out var address) ? address : null;
            }
            if (dimensions.Contains(StatsDimension.Host))
                item["host"] = row.Host;
            if (dimensions.Contains(StatsDimension.Isp))
                item["isp"] = row.Isp?.Name();
            if (dimensions.Contains(StatsDimension.Tenant))
                item["tenant"] = row.TenantId is { } t && names.Tenants.TryGetValue(t, out var slug) ? slug : null;
            if (dimensions.Contains(StatsDimension.Campaign))
            {
                item["campaign_id"] = row.CampaignId is null or 0 ? null : row.CampaignId;
                item["campaign"] = row.CampaignId is { } c && names.Campaigns.TryGetValue(c, out var campaign) ? campaign : null;
            }
            foreach (var (key, value) in Figures(row.Totals))
                item[key] = value;
            return item;
        }).ToList();
        var total = rows.Aggregate(OutcomeTotals.Zero, (sum, row) => sum + row.Totals);
        return TypedResults.Ok(new Dictionary<string, object?>
        {
            ["from"] = start, ["to"] = end, ["granularity"] = hours == 1 ? "hour" : "day",
            ["group_by"] = dimensions.Select(d => d.ToString().ToLowerInvariant()).Order(StringComparer.Ordinal).ToList(),
            ["items"] = items, ["totals"] = Figures(total),
        });
    }

    private static Dictionary<string, object> Figures(OutcomeTotals t) => new()
    {
        ["sent"] = t.Sent, ["delivered"] = t.Delivered, ["deferred"] = t.Deferred,
        ["bounced"] = new Dictionary<string, long> { ["hard"] = t.BouncedHard, ["soft"] = t.BouncedSoft, ["block"] = t.BouncedBlock, ["other"] = t.BouncedOther },
        ["complaints"] = t.Complaints,
        ["rates"] = new Dictionary<string, double>
        {
            ["delivery"] = Math.Round(t.DeliveryRate, 6), ["bounce"] = Math.Round(t.BounceRate, 6),
            ["hard_bounce"] = Math.Round(t.HardBounceRate, 6), ["complaint"] = Math.Round(t.ComplaintRate, 6),
            ["deferral"] = Math.Round(t.DeferralRate, 6),
        },
    };

    private static DateTimeOffset? ParseInstant(string? text, string field, FieldErrors errors)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            return at;
        errors.Add(field, "must be an ISO 8601 date or date-time, e.g. 2026-11-25 or 2026-11-25T10:00:00Z");
        return null;
    }

    private sealed record Names(Dictionary<string, string> Ips, Dictionary<long, string> Tenants, Dictionary<long, string> Campaigns);

    private static async Task<Names> NamesAsync(AppDbContext db, List<StatsRow> rows, CancellationToken ct)
    {
        var tenantIds = rows.Select(r => r.TenantId ?? 0).Where(id => id != 0).Distinct().ToList();
        var campaignIds = rows.Select(r => r.CampaignId ?? 0).Where(id => id != 0).Distinct().ToList();
        var ips = (await db.Set<SendingIp>().AsNoTracking().ToListAsync(ct)).ToDictionary(i => i.VmtaName, i => i.Address);
        var tenants = await db.Set<Tenant>().AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Slug, ct);
        var campaigns = await db.Set<Campaign>().AsNoTracking().Where(c => campaignIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        return new Names(ips, tenants, campaigns);
    }
}
