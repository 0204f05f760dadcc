using System.Text.Json;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Dkim;
using EmailEngine.Ips;
using EmailEngine.Warmup;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.WebConsole.Pages.Ips;

/// <summary>One IP: its warmup curve (plan against what it sent, per sending day, with the engine's decisions), the
/// per-ISP steps, the operator's overrides, its DNS records and its blocklist history.</summary>
public sealed class IndexModel(AppDbContext db, WarmupOptions options, IWarmupOutcomes outcomes, IIpWarmups warmups, DeliveryStatsQuery stats,
    WarmupDeployment deployment, DomainRegistry domains, DnsVerifier verifier, DnsHealthMemory dnsMemory, TimeProvider clock) : ConsolePage
{
    public IpResponse Ip { get; private set; } = null!;
    public WarmupView? Warmup { get; private set; }
    public IReadOnlyList<PlanResponse> Plans { get; private set; } = [];
    public string ChartJson { get; private set; } = "{}";
    public DnsRecordsResponse? Dns { get; private set; }
    public DnsVerifyResponse? DnsCheck { get; private set; }
    public DateTimeOffset? DnsCheckedAt { get; private set; }
    public IReadOnlyList<BlocklistListing> Listings { get; private set; } = [];
    public IReadOnlyList<string> Overrides => OverrideWarmup.Actions;
    /// <summary>The domain whose records the IP needs (its hostname's parent: mail.example.com → example.com).</summary>
    public string SendingDomain => EmailEngine.Ips.SendingIp.SendingDomainOf(Ip.Domain);

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        (DnsCheck, DnsCheckedAt) = dnsMemory.Last(SendingDomain);
        return Page();
    }

    public async Task<IActionResult> OnPostStartAsync(long id, string? plan, int? day, bool confirm, CancellationToken ct)
    {
        if (!confirm)
            return Unconfirmed();
        return AfterAction(await StartWarmup.Handle(id, new StartWarmupRequest(plan, day), User, db, options, deployment, clock, ct),
            Text["done.warmup_started"]);
    }

    public async Task<IActionResult> OnPostOverrideAsync(long id, string? action, string? reason, int? day, int? hours, bool confirm, CancellationToken ct)
    {
        if (!confirm)
            return Unconfirmed();
        return AfterAction(await OverrideWarmup.Handle(id, new WarmupOverrideRequest(action, reason, day, hours), User, db, options, deployment, clock, ct),
            Text["done.override"]);
    }

    /// <summary>Checks the domain's records now and shows the answer on the page (the scheduled sweep keeps its own).</summary>
    public async Task<IActionResult> OnPostVerifyDnsAsync(long id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
            return NotFound();
        var outcome = await DomainDns.Verify(SendingDomain, domains, verifier, ct);
        if (ApiOutcome.Problem(outcome) is { } problem)
            TempData["error"] = problem;
        else
            (DnsCheck, DnsCheckedAt) = (ApiOutcome.Value<DnsVerifyResponse>(outcome), clock.GetUtcNow());
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        if (ApiOutcome.Value<IpResponse>(await GetIp.Handle(id, db, warmups, ct)) is not { } ip)
            return false;
        Ip = ip;
        Warmup = ApiOutcome.Value<WarmupView>(await GetWarmup.Handle(id, db, options, clock, outcomes, ct));
        Plans = ApiOutcome.Expect<Http.ItemList<PlanResponse>>(await WarmupPlans.List(db, ct)).Items.ToList();
        ChartJson = await ChartAsync(ip, Warmup, ct);
        Dns = ApiOutcome.Value<DnsRecordsResponse>(await DomainDns.Records(SendingDomain, null, domains, ct));
        Listings = await db.Set<BlocklistListing>().AsNoTracking().Where(l => l.Target == ip.Ip).OrderByDescending(l => l.ListedAt).Take(50).ToListAsync(ct);
        return true;
    }

    /// <summary>Plan and sent per sending day: a calendar day counts for the sending day the IP was on when it ended.</summary>
    private async Task<string> ChartAsync(IpResponse ip, WarmupView? warmup, CancellationToken ct)
    {
        if (warmup is null)
            return "{}";
        var decisions = warmup.History.OrderBy(d => d.At).ToList();
        var start = decisions.FirstOrDefault()?.At ?? warmup.WindowStart;
        var now = clock.GetUtcNow();
        var days = await stats.GroupedAsync(new DateTimeOffset(start.UtcDateTime.Date, TimeSpan.Zero), now, 24,
            new HashSet<StatsDimension> { StatsDimension.Ip }, null, ct);
        var sentPerDay = new SortedDictionary<int, long>();
        foreach (var row in days.Where(r => r.Vmta == ip.Vmta && r.Time.AddDays(1) > start))
        {
            var dayEnd = row.Time.AddDays(1);
            var sendingDay = decisions.LastOrDefault(d => d.At < dayEnd)?.SendingDay ?? 1;
            sentPerDay[sendingDay] = sentPerDay.GetValueOrDefault(sendingDay) + row.Totals.Sent;
        }
        // Two weeks ahead of today: the whole 70-day curve would flatten the first weeks, where the risk is.
        var lastDay = Math.Max(Math.Min(warmup.Plan.Days, warmup.SendingDay + 14), sentPerDay.Keys.DefaultIfEmpty(1).Max());
        var labels = Enumerable.Range(1, lastDay).ToList();
        return JsonSerializer.Serialize(new
        {
            labels,
            plan = labels.Select(d => d <= warmup.Plan.DailyQuotas.Count ? warmup.Plan.DailyQuotas[d - 1] : (int?)null),
            sent = labels.Select(d => d <= warmup.SendingDay ? sentPerDay.GetValueOrDefault(d) : (long?)null),
            decisions = decisions.Where(d => d.Kind != "advance").Select(d => new { day = d.SendingDay, kind = d.Kind, reason = d.Reason }),
        });
    }
}
