using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using SimulationClock;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>The stand-in as a real process: URL conventions, a SIGKILL with --state-dir, quotas on the shared clock.</summary>
[Trait("Category", "Crash")]
[LongRunning(30)]
public sealed class ProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mw-process-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string[], string[], string> UrlSources => new()
    {
        // --urls wins over ASPNETCORE_URLS, which wins over PORT; PORT alone binds 127.0.0.1.
        { ["--urls", "http://127.0.0.1:{0}"], ["ASPNETCORE_URLS=http://127.0.0.1:{1}", "PORT={2}"], "http://127.0.0.1:{0}" },
        { [], ["ASPNETCORE_URLS=http://127.0.0.1:{1}", "PORT={2}"], "http://127.0.0.1:{1}" },
        { [], ["PORT={2}"], "http://127.0.0.1:{2}" },
    };

    [Theory]
    [MemberData(nameof(UrlSources))]
    public async Task Listens_where_ASP_NET_Core_conventions_say(string[] args, string[] environment, string expected)
    {
        object[] ports = [LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free()];
        string Fill(string text) => string.Format(text, ports);
        using var standIn = await StandInProcess.StartAsync(args.Select(Fill),
            environment.Select(Fill).ToDictionary(e => e.Split('=')[0], e => e.Split('=', 2)[1]));

        Assert.Equal(new Uri(Fill(expected)), standIn.Root);
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(standIn.Root, "/_standin/outbox"))).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Killed_before_the_welcomes_are_due_and_restarted_each_subscriber_gets_one_welcome()
    {
        // 1 virtual minute = 0.5 real second: the 20-minute delay leaves 10 s to subscribe and kill the stand-in before
        // anything is due, even on a busy machine.
        var clock = new ScaledTimeProvider(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 120);
        var environment = new Dictionary<string, string> { [ScaledTimeProvider.Variable] = clock.Spec };
        await using var sink = await SmtpSink.StartAsync(LoopbackPorts.Free());
        string[] args = ["--urls", "http://127.0.0.1:0", "--api-key", "k", "--state-dir", Path.Combine(_dir, "state"),
            "--delivery-server", $"127.0.0.1:{sink.Port}", "--virtual-mta", "pool-all", "--retry-after", "00:00:10"];

        List<string> emails;
        using (var first = await StandInProcess.StartAsync(args, environment))
        {
            using var api = new StandInApi(first.Root, "k");
            emails = await RelayTests.SubscribeWithWelcomeAsync(api, 12, delayMinutes: 20);
            Assert.Equal(emails.Count, (await api.OutboxAsync()).GetProperty("scheduled").GetInt32());
            first.Kill();
        }
        Assert.Empty(sink.Received);

        using var second = await StandInProcess.StartAsync(args, environment);
        using (var api = new StandInApi(second.Root, "k"))
        {
            await Poll.UntilAsync(async () => (await api.OutboxAsync()).GetProperty("sent").GetInt32() == emails.Count, TimeSpan.FromSeconds(30), "all welcomes are sent");
            var state = await new HttpClient().GetFromJsonAsync<JsonElement>(new Uri(second.Root, "/_standin/state"));
            Assert.Equal(emails.Order(), state.GetProperty("lists")[0].GetProperty("subscribers").EnumerateArray().Select(s => s.GetProperty("email").GetString()).Order());
        }
        Assert.Equal(emails.Order(), sink.CountByRecipient().Keys.Order());
        Assert.All(sink.CountByRecipient().Values, count => Assert.Equal(1, count));
        Assert.All(sink.Received, m => Assert.Equal("pool-all", m.Headers["X-Virtual-MTA"]));
    }

    [Fact]
    public async Task Killed_while_sending_and_restarted_nobody_is_lost_and_a_resend_is_only_the_message_in_doubt()
    {
        await using var sink = await SmtpSink.StartAsync(LoopbackPorts.Free());
        // A slow server, so that the kill lands in the middle of an SMTP transaction.
        sink.Answer = _ =>
        {
            Thread.Sleep(40);
            return SmtpServer.Protocol.SmtpResponse.Ok;
        };
        string[] args = ["--urls", "http://127.0.0.1:0", "--api-key", "k", "--state-dir", Path.Combine(_dir, "state"),
            "--delivery-server", $"127.0.0.1:{sink.Port}", "--retry-after", "00:00:00.2"];

        List<string> emails;
        using (var first = await StandInProcess.StartAsync(args))
        {
            using var api = new StandInApi(first.Root, "k");
            emails = await RelayTests.SubscribeWithWelcomeAsync(api, 30);
            await Poll.UntilAsync(() => sink.Received.Count >= 10, TimeSpan.FromSeconds(20), "some welcomes arrive");
            first.Kill();
        }
        Assert.True(sink.Received.Count < emails.Count, "the kill came before the last message");

        using var second = await StandInProcess.StartAsync(args);
        using var restartedApi = new StandInApi(second.Root, "k");
        await Poll.UntilAsync(async () => (await restartedApi.OutboxAsync()).GetProperty("sent").GetInt32() == emails.Count, TimeSpan.FromSeconds(30), "all welcomes are sent");

        Assert.Equal(emails.Order(), sink.CountByRecipient().Keys.Order());
        // At least once: only the one message that was with the server at the kill may arrive twice, with the same
        // Message-Id (a receiver can drop it), and the stand-in says it was in doubt.
        var twice = sink.Received.GroupBy(m => m.To.Mailboxes.Single().Address).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count <= 1, $"{twice.Count} recipients got two messages");
        Assert.All(twice, g => Assert.Single(g.Select(m => m.MessageId).Distinct()));
        var inDoubt = (await restartedApi.MessagesAsync()).EnumerateArray().Where(m => m.GetProperty("InDoubt").GetBoolean()).Select(m => m.GetProperty("To").GetString()).ToList();
        Assert.True(inDoubt.Count <= 1, $"{inDoubt.Count} messages in doubt");
        Assert.All(twice, g => Assert.Contains(g.Key, inDoubt));
    }

    [Fact]
    public async Task Regular_campaign_is_sent_at_send_at_within_the_hourly_quota_then_marked_sent()
    {
        // 1 virtual hour = 1.2 real seconds.
        var clock = new ScaledTimeProvider(new DateTimeOffset(2027, 1, 4, 9, 50, 0, TimeSpan.Zero), DateTimeOffset.UtcNow, 3000);
        await using var sink = await SmtpSink.StartAsync(LoopbackPorts.Free());
        using var standIn = await StandInProcess.StartAsync(["--urls", "http://127.0.0.1:0", "--api-key", "k",
            "--delivery-server", $"127.0.0.1:{sink.Port}", "--hourly-quota", "2"],
            new Dictionary<string, string> { [ScaledTimeProvider.Variable] = clock.Spec });
        using var api = new StandInApi(standIn.Root, "k");
        var list = await api.CreateListAsync("list", "news@acme.test");
        var emails = Enumerable.Range(1, 5).Select(i => $"reader{i}@example.test").ToList();
        foreach (var email in emails)
            await api.SubscribeAsync(list, email);
        // Two virtual hours ahead (2.4 s): still pending when the test reads it back, on a busy machine too.
        var sendAt = clock.GetUtcNow().UtcDateTime.AddHours(2);
        var campaign = await api.CreateCampaignAsync(list, "news@acme.test", sendAt: sendAt);
        Assert.Equal("pending-sending", await api.CampaignStatusAsync(campaign));

        await Poll.UntilAsync(async () => await api.CampaignStatusAsync(campaign) == "sent", TimeSpan.FromSeconds(30), "the campaign is sent");

        Assert.Equal(emails.Order(), sink.CountByRecipient().Keys.Order());
        Assert.All(sink.CountByRecipient().Values, count => Assert.Equal(1, count));
        var sentAt = (await api.MessagesAsync()).EnumerateArray().Select(m => m.GetProperty("SentAt").GetDateTime()).ToList();
        Assert.All(sentAt, at => Assert.True(at >= sendAt, $"sent at {at:O}, before send_at {sendAt:O}"));
        // Two per clock hour at most: five messages need three hours.
        Assert.All(sentAt.GroupBy(at => at.ToString("yyyy-MM-ddTHH")), hour => Assert.True(hour.Count() <= 2, $"{hour.Count()} sent in hour {hour.Key}"));
        Assert.Equal(3, sentAt.Select(at => at.ToString("yyyy-MM-ddTHH")).Distinct().Count());
    }
}
