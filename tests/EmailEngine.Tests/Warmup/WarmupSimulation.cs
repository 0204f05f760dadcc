using EmailEngine.Deliverability.Stats;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.PowerMta;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace EmailEngine.Tests.Warmup;

/// <summary>
/// Drives the real engine (PostgreSQL, real services) day by day with a hand-moved clock: each simulated day the
/// warming IP "sends" its quota split over a realistic provider mix, the outcomes go into the in-memory stats, and
/// the engine takes that day's decision. No real time passes.
/// </summary>
public sealed class WarmupSimulation : IAsyncDisposable
{
    public static readonly IReadOnlyDictionary<IspGroup, double> Mix = new Dictionary<IspGroup, double>
    {
        [IspGroup.Gmail] = 0.35, [IspGroup.Microsoft] = 0.25, [IspGroup.Yahoo] = 0.15,
        [IspGroup.Apple] = 0.08, [IspGroup.Orange] = 0.07, [IspGroup.Other] = 0.10,
    };

    /// <summary>Delivered, with the background noise of a clean list: 0.2 % hard bounces, no complaints.</summary>
    public static OutcomeTotals Clean(IspGroup group, long sent) => new(sent, sent - sent / 500, 0, 0, sent / 500, 0, 0, 0, 0);

    private WarmupSimulation(EngineServer server, InMemoryWarmupOutcomes outcomes, FakeTimeProvider clock, long ipId)
    {
        Server = server;
        Outcomes = outcomes;
        Clock = clock;
        IpId = ipId;
    }

    public EngineServer Server { get; }
    public InMemoryWarmupOutcomes Outcomes { get; }
    public FakeTimeProvider Clock { get; }
    public long IpId { get; }
    public string Vmta => $"vmta-{IpId}";

    public static async Task<WarmupSimulation> StartAsync(string plan = WarmupPresets.Conservative70, IDictionary<string, string>? settings = null)
    {
        var outcomes = new InMemoryWarmupOutcomes();
        var values = new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off", ["WARMUP_WORKER"] = "off" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            values[key] = value;
        var server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: values,
            extraServices: services => services.AddSingleton<IWarmupOutcomes>(outcomes));
        using var client = server.Client();
        var ip = await (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "standby" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var id = ip.GetProperty("id").GetInt64();
        var started = await client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup", new { plan });
        Assert.True(started.IsSuccessStatusCode, await started.Content.ReadAsStringAsync());
        // Decisions fall on the UTC midnight after the start (WARMUP_RUN_AT 00:00); run a minute past it.
        var clock = new FakeTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero).AddMinutes(1));
        return new WarmupSimulation(server, outcomes, clock, id);
    }

    /// <summary>
    /// Ends the current day: if the IP was sending, it sent its quota per group (never more than the group's cap) with
    /// the outcomes <paramref name="outcome"/> gives; then the clock reaches the next period and the engine runs.
    /// </summary>
    public async Task<WarmupRunResult> RunDayAsync(Func<IspGroup, long, OutcomeTotals>? outcome = null)
    {
        var state = await StateAsync();
        Clock.Advance(TimeSpan.FromDays(1));
        if (state.Phase == WarmupPhase.Running && state.Ip.Status == global::EmailEngine.Ips.IpStatus.Warming)
        {
            var options = Server.Services.GetRequiredService<WarmupOptions>();
            foreach (var group in IspGroups.All)
            {
                var sent = Math.Min(WarmupPacing.GroupQuota(state, group, options), (long)Math.Round(WarmupPacing.DailyQuota(state) * Mix[group]));
                Outcomes.Add(Vmta, group, Clock.GetUtcNow().AddHours(-2), (outcome ?? Clean)(group, sent));
            }
        }
        return await RunEngineAsync();
    }

    /// <summary>One engine as a fresh scope (as a new request, a restarted process or another instance would be).</summary>
    public async Task<WarmupRunResult> RunEngineAsync()
    {
        await using var scope = Server.Services.CreateAsyncScope();
        var engine = ActivatorUtilities.CreateInstance<WarmupEngine>(scope.ServiceProvider, Clock, (IWarmupOutcomes)Outcomes);
        return await engine.RunDueAsync(CancellationToken.None);
    }

    public async Task<IpWarmup> StateAsync()
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<IpWarmup>().AsNoTracking().Include(w => w.Ip)
            .SingleAsync(w => w.IpId == IpId);
    }

    public async Task<string> RenderAsync()
    {
        await using var scope = Server.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<PmtaRendering>().RenderAsync(scope.ServiceProvider.GetRequiredService<EmailEngine.PowerMta.Deploy.PmtaHostOptions>(), CancellationToken.None)).Config;
    }

    /// <summary>The IP's rendered <c>&lt;virtual-mta&gt;</c> block.</summary>
    public async Task<string> VmtaBlockAsync()
    {
        var config = await RenderAsync();
        var start = config.IndexOf($"<virtual-mta {Vmta}>\n", StringComparison.Ordinal);
        return config[start..(config.IndexOf("</virtual-mta>\n", start, StringComparison.Ordinal) + 15)];
    }

    public async Task<bool> InPoolAsync()
    {
        var config = await RenderAsync();
        var pool = config[config.IndexOf("<virtual-mta-pool pool-all>", StringComparison.Ordinal)..];
        return pool[..pool.IndexOf("</virtual-mta-pool>", StringComparison.Ordinal)].Contains($"    virtual-mta {Vmta}\n");
    }

    /// <summary>The rates in a VMTA block: <c>vmta</c> → its max-smtp-msg-rate, each domain → its max-msg-rate.</summary>
    public static Dictionary<string, string> RatesIn(string block)
    {
        var rates = new Dictionary<string, string>();
        if (Regex.Match(block, @"\n    max-smtp-msg-rate (\S+)\n") is { Success: true } cap)
            rates["vmta"] = cap.Groups[1].Value;
        foreach (Match m in Regex.Matches(block, @"\n    <domain (\S+)>\n        max-msg-rate (\S+)\n        backoff-max-msg-rate \2\n    </domain>"))
            rates[m.Groups[1].Value] = m.Groups[2].Value;
        return rates;
    }

    /// <summary>The messages a day a one-day-window rate (<c>N/d</c>) lets through.</summary>
    public static int PerDay(string rate) =>
        Regex.Match(rate, @"^(\d+)/d$") is { Success: true } m ? int.Parse(m.Groups[1].Value) : throw new FormatException($"not a one-day rate: {rate}");

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}
