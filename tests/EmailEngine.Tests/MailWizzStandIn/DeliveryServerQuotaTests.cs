using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using SimulationClock;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>
/// Given MailWizz's database, the stand-in sends through a delivery server only within the status and quotas of its
/// <c>mw_delivery_server</c> row, counting its own <c>mw_delivery_server_usage_log</c> rows per clock hour and day as
/// MailWizz does: a regular campaign larger than the day's quota is held upstream, not handed to PowerMTA.
/// </summary>
public sealed class DeliveryServerQuotaTests
{
    [Fact]
    public async Task A_campaign_is_held_at_the_rows_quotas_and_while_the_server_is_disabled()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync();
        var serverId = await mailWizz.AddServerAsync("EE vmta-1 203.0.113.10", "vmta-1", status: "active");
        await mailWizz.ExecuteAsync($"UPDATE mw_delivery_server SET hourly_quota = 2, daily_quota = 3 WHERE server_id = {serverId}");
        // 1 virtual hour = 2.4 real seconds, from 00:50: the virtual day lasts the whole test.
        var clock = new ScaledTimeProvider(new DateTimeOffset(2027, 1, 4, 0, 50, 0, TimeSpan.Zero), DateTimeOffset.UtcNow, 1500);
        var hour = TimeSpan.FromHours(1) / 1500;
        await using var sink = await SmtpSink.StartAsync(LoopbackPorts.Free());
        using var standIn = await StandInProcess.StartAsync(["--urls", "http://127.0.0.1:0", "--api-key", "k",
            "--delivery-server", $"127.0.0.1:{sink.Port}", "--server-id", $"{serverId}", "--mailwizz-db", mailWizz.ConnectionString],
            new Dictionary<string, string> { [ScaledTimeProvider.Variable] = clock.Spec });
        using var api = new StandInApi(standIn.Root, "k");
        var list = await api.CreateListAsync("list", "news@acme.test");
        foreach (var i in Enumerable.Range(1, 5))
            await api.SubscribeAsync(list, $"reader{i}@example.test");
        var campaign = await api.CreateCampaignAsync(list, "news@acme.test", sendAt: clock.GetUtcNow().UtcDateTime);
        var used = $"SELECT COUNT(*) FROM mw_delivery_server_usage_log WHERE server_id = {serverId}";

        await Poll.UntilAsync(() => sink.Received.Count >= 3, TimeSpan.FromSeconds(30), "the day's quota of 3 is sent");
        await Task.Delay(2 * hour);

        Assert.Equal((3, "sending", 3L), (sink.Received.Count, await api.CampaignStatusAsync(campaign), await mailWizz.CountAsync(used)));
        var sentAt = (await api.MessagesAsync()).EnumerateArray().Where(m => m.GetProperty("SentAt").ValueKind != JsonValueKind.Null)
            .Select(m => m.GetProperty("SentAt").GetDateTime().ToString("HH")).ToList();
        Assert.All(sentAt.GroupBy(h => h), h => Assert.True(h.Count() <= 2, $"{h.Count()} sent in hour {h.Key}"));

        // Unlimited but disabled: still held (once MailWizz's 5-minute quota cache has passed, the row is read again).
        await mailWizz.ExecuteAsync($"UPDATE mw_delivery_server SET hourly_quota = 0, daily_quota = 0, status = 'disabled' WHERE server_id = {serverId}");
        await Task.Delay(hour);
        Assert.Equal(3, sink.Received.Count);

        await mailWizz.ExecuteAsync($"UPDATE mw_delivery_server SET status = 'active' WHERE server_id = {serverId}");
        await Poll.UntilAsync(async () => await api.CampaignStatusAsync(campaign) == "sent", TimeSpan.FromSeconds(30), "the rest is sent once active");

        Assert.Equal((5, 5L), (sink.Received.Count, await mailWizz.CountAsync(used)));
    }
}
