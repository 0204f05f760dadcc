using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Metrics;

/// <summary>
/// One engine with a little of everything the metrics report: a warming and an active IP, an accounting file, an open
/// blocklist listing and a checker error, a push waiting in the outbox and one failed, a failed deployment (no PowerMTA host), a call
/// through the webhook client. The state gauges are refreshed every second; <c>METRICS_PORT</c> is set.
/// </summary>
public sealed class MetricsEngine : IAsyncLifetime
{
    private const string T = "2026-11-25 10:15:00+0000";

    public EngineServer Server { get; private set; } = null!;
    public int MetricsPort { get; } = LoopbackPorts.Free();
    public string WarmingVmta { get; private set; } = "";
    public string ActiveVmta { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string>
        {
            ["OUTBOX_WORKER"] = "off", ["METRICS_REFRESH_SECONDS"] = "1", ["METRICS_PORT"] = MetricsPort.ToString(),
        });
        using var client = Server.Client();
        WarmingVmta = $"vmta-{await RegisterAsync(client, "203.0.113.1", "warming")}";
        ActiveVmta = $"vmta-{await RegisterAsync(client, "203.0.113.2", "active")}";
        (await client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1" })).EnsureSuccessStatusCode();
        // No PowerMTA host is configured here: the deployment is recorded as failed.
        Assert.False((await client.PostAsJsonAsync("/api/v1/pmta/deploy", new { })).IsSuccessStatusCode);

        await UploadAsync(client, Header
            + Line("d", T, "a@gmail.com", vmta: WarmingVmta) + Line("d", T, "b@gmail.com", vmta: WarmingVmta) + Line("d", T, "c@gmail.com", vmta: WarmingVmta)
            + Line("b", T, "gone@gmail.com", vmta: WarmingVmta, status: "5.1.1", diag: "smtp;550-5.1.1 The email account that you tried to reach does not exist.", category: "bad-mailbox")
            + Line("t", T, "y@gmail.com", vmta: WarmingVmta, status: "4.7.28", diag: "smtp;421-4.7.28 unusual rate of unsolicited mail")
            + Line("f", T, "angry@hotmail.fr", vmta: WarmingVmta)
            + Line("d", T, "d@yahoo.com", vmta: ActiveVmta) + Line("d", T, "e@yahoo.com", vmta: ActiveVmta));

        await using (var scope = Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.Add(new BlocklistListing
            {
                Target = "203.0.113.2", Zone = "spamhaus-zen", Codes = "127.0.0.2", Sublists = "SBL", Meaning = "test", Severity = ListingSeverity.Critical,
                ListedAt = now, LastSeenAt = now,
            });
            db.Add(new BlocklistCheck { Target = "203.0.113.1", Zone = "barracuda", State = ListingState.Error, Detail = "timeout", CheckedAt = now });
            db.Add(new OutboxMessage
            {
                Kind = "metrics.test", ResourceKey = "metrics:1", CreatedAt = now.AddMinutes(-10), NextAttemptAt = now.AddDays(1),
            });
            // Due now, and no handler takes this kind: the dispatcher fails it at once.
            db.Add(new OutboxMessage { Kind = "metrics.unhandled", ResourceKey = "metrics:2", CreatedAt = now, NextAttemptAt = now.AddMinutes(-1) });
            await db.SaveChangesAsync();
        }
        await Server.Services.GetRequiredService<OutboxDispatcher>().DispatchBatchAsync(CancellationToken.None);
        // Through the webhook client's real handler chain: a loopback target is refused (no private targets), an error call.
        var webhooks = Server.Services.GetRequiredService<IHttpClientFactory>().CreateClient(EmailEngine.Webhooks.WebhookSender.HttpClientName);
        await Assert.ThrowsAnyAsync<Exception>(() => webhooks.GetAsync("http://127.0.0.1:9/"));
    }

    private static async Task<long> RegisterAsync(HttpClient client, string ip, string status)
    {
        var response = await client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status });
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>GET /metrics with the operator key until the state gauges show the database's state (refreshed every second).</summary>
    public async Task<(string Text, PrometheusText Parsed)> ScrapeAsync()
    {
        using var client = Server.Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var text = await client.GetStringAsync("/metrics");
            var parsed = PrometheusText.Parse(text);
            // A refresh may have run between the setup's insert and its dispatch: wait for one that saw the dispatch too.
            if ((parsed.Series("ee_blocklist_listed").Any() && parsed.Series("ee_outbox_messages", ("status", "failed")).Any()) || DateTime.UtcNow > deadline)
                return (text, parsed);
            await Task.Delay(250);
        }
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
