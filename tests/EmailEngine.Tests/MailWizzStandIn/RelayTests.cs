using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using SmtpServer.Protocol;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>The stand-in in-process relaying to a loopback SMTP sink, as MailWizz relays to PowerMTA.</summary>
public sealed class RelayTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("mw-relay-").FullName;
    private readonly int _smtpPort = LoopbackPorts.Free();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    private Task<MailWizzStandInServer> StartStandInAsync(params string[] options) =>
        MailWizzStandInServer.StartAsync(["--delivery-server", $"127.0.0.1:{_smtpPort}", "--retry-after", "00:00:00.2", .. options]);

    private static StandInApi Api(MailWizzStandInServer server) => new(server.Root, MailWizzStandInServer.ApiKey);

    [Fact]
    public async Task Each_mail_carries_its_delivery_servers_virtual_mta_and_MailWizz_headers()
    {
        var serversFile = Path.Combine(_dir, "delivery-servers.json");
        await File.WriteAllTextAsync(serversFile, """
            [
              { "name": "pmta-acme", "additional_headers": [ { "name": "X-Virtual-MTA", "value": "vmta-acme" },
                  { "name": "X-EE-Tenant", "value": "acme" }, { "name": "X-EE-Contact", "value": "[SUBSCRIBER_UID]" } ],
                "use_for": { "tenants": [ "acme" ] } }
            ]
            """);
        await using var sink = await SmtpSink.StartAsync(_smtpPort);
        await using var standIn = await StartStandInAsync("--delivery-servers", serversFile, "--virtual-mta", "pool-all");
        using var api = Api(standIn);
        var acmeList = await api.CreateListAsync("ee:acme:fr", "news@acme.test");
        var otherList = await api.CreateListAsync("someone-else", "hello@other.test");
        var acmeCampaign = await api.CreateCampaignAsync(acmeList, "news@acme.test");
        var otherCampaign = await api.CreateCampaignAsync(otherList, "hello@other.test");
        var acmeSubscriber = await api.SubscribeAsync(acmeList, "zoe@example.test");
        var otherSubscriber = await api.SubscribeAsync(otherList, "max@example.test");

        await Poll.UntilAsync(() => sink.Received.Count == 2, Deadline, "both welcomes arrive");

        var acme = sink.Received.Single(m => m.To.Mailboxes.Single().Address == "zoe@example.test");
        Assert.Equal("vmta-acme", acme.Headers["X-Virtual-MTA"]);
        Assert.Equal("acme", acme.Headers["X-EE-Tenant"]);
        Assert.Equal(acmeSubscriber, acme.Headers["X-EE-Contact"]);
        Assert.Equal(acmeCampaign, acme.Headers["X-Mw-Campaign-Uid"]);
        Assert.Equal(acmeSubscriber, acme.Headers["X-Mw-Subscriber-Uid"]);
        Assert.Equal($"{acmeCampaign}.{acmeSubscriber}@acme.test", acme.MessageId);
        Assert.Equal("Hi zoe", acme.Subject);
        var other = sink.Received.Single(m => m.To.Mailboxes.Single().Address == "max@example.test");
        Assert.Equal("pool-all", other.Headers["X-Virtual-MTA"]);
        Assert.Equal(otherCampaign, other.Headers["X-Mw-Campaign-Uid"]);
        Assert.Null(other.Headers["X-EE-Tenant"]);

        var messages = (await api.MessagesAsync()).EnumerateArray().ToList();
        Assert.All(messages, m => Assert.Equal("sent", m.GetProperty("State").GetString()));
        Assert.Equal(["pool-all", "vmta-acme"], messages.Select(m => m.GetProperty("VirtualMta").GetString()).Order());
        Assert.Equal(otherSubscriber, messages.Single(m => m.GetProperty("Server").GetString() == "default").GetProperty("SubscriberUid").GetString());
    }

    [Fact]
    public async Task A_campaigns_mail_is_spread_over_the_servers_it_names_and_never_leaves_through_another()
    {
        // One server per IP, as the engine has them; the campaign may use servers 1 and 2 (its tenant's), not 3.
        var serversFile = Path.Combine(_dir, "delivery-servers.json");
        await File.WriteAllTextAsync(serversFile, """
            [
              { "name": "s1", "server_id": 1, "additional_headers": [ { "name": "X-Virtual-MTA", "value": "vmta-1" } ] },
              { "name": "s2", "server_id": 2, "additional_headers": [ { "name": "X-Virtual-MTA", "value": "vmta-2" } ] },
              { "name": "s3", "server_id": 3, "additional_headers": [ { "name": "X-Virtual-MTA", "value": "vmta-3" } ] }
            ]
            """);
        await using var sink = await SmtpSink.StartAsync(_smtpPort);
        await using var standIn = await StartStandInAsync("--delivery-servers", serversFile, "--virtual-mta", "pool-all", "--can-select-delivery-servers", "true");
        using var api = Api(standIn);
        var list = await api.CreateListAsync("ee:acme:fr", "news@acme.test");
        await api.CreateCampaignAsync(list, "news@acme.test", deliveryServers: "1,2");
        for (var i = 0; i < 40; i++)
            await api.SubscribeAsync(list, $"user{i}@example.test");

        await Poll.UntilAsync(() => sink.Received.Count == 40, Deadline, "every welcome arrives");

        // Drawn at random among the allowed ones, as MailWizz picks: both carry some (all 40 on one: odds 2 in 10^12).
        Assert.Equal(["vmta-1", "vmta-2"], sink.Received.Select(m => m.Headers["X-Virtual-MTA"] ?? "(none)").Distinct().Order());
    }

    [Fact]
    public async Task Server_answering_421_for_a_while_gets_every_message_exactly_once()
    {
        await using var sink = await SmtpSink.StartAsync(_smtpPort);
        var refusals = 3;
        sink.Answer = _ => Interlocked.Decrement(ref refusals) >= 0
            ? new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "try again later")
            : SmtpResponse.Ok;
        await using var standIn = await StartStandInAsync();
        using var api = Api(standIn);
        var emails = await SubscribeWithWelcomeAsync(api, 8);

        await Poll.UntilAsync(() => sink.Received.Count >= emails.Count, Deadline, "every welcome arrives");
        await Poll.UntilAsync(async () => (await api.OutboxAsync()).GetProperty("sent").GetInt32() == emails.Count, Deadline, "all are marked sent");

        Assert.Equal(3, sink.Refused);
        Assert.Equal(emails.Order(), sink.CountByRecipient().Keys.Order());
        Assert.All(sink.CountByRecipient().Values, count => Assert.Equal(1, count));
        var messages = (await api.MessagesAsync()).EnumerateArray().ToList();
        Assert.Equal(emails.Count + 3, messages.Sum(m => m.GetProperty("Attempts").GetInt32()));
    }

    [Fact]
    public async Task Messages_wait_while_the_delivery_server_is_down_and_arrive_when_it_is_up()
    {
        await using var standIn = await StartStandInAsync();
        using var api = Api(standIn);
        var emails = await SubscribeWithWelcomeAsync(api, 5);
        await Poll.UntilAsync(async () => (await api.MessagesAsync()).EnumerateArray().Any(m => m.GetProperty("Attempts").GetInt32() >= 2),
            Deadline, "the stand-in has tried the down server twice");
        // None left and none failed: each waits for its next try, or is on the try the down server is refusing right now
        // (a full run once caught one there).
        var outbox = await api.OutboxAsync();
        Assert.Equal((0, 0), (outbox.GetProperty("sent").GetInt32(), outbox.GetProperty("failed").GetInt32()));
        Assert.Equal(emails.Count, outbox.GetProperty("queued").GetInt32() + outbox.GetProperty("sending").GetInt32());

        await using var sink = await SmtpSink.StartAsync(_smtpPort);

        await Poll.UntilAsync(async () => (await api.OutboxAsync()).GetProperty("sent").GetInt32() == emails.Count, Deadline, "all are sent");
        Assert.Equal(emails.Order(), sink.CountByRecipient().Keys.Order());
        Assert.All(sink.CountByRecipient().Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_5xx_fails_that_message_for_good_and_the_others_go_on()
    {
        await using var sink = await SmtpSink.StartAsync(_smtpPort);
        sink.Answer = m => m.To.Mailboxes.Single().Address.StartsWith("rejected")
            ? new SmtpResponse(SmtpReplyCode.MailboxUnavailable, "no such user")
            : SmtpResponse.Ok;
        await using var standIn = await StartStandInAsync();
        using var api = Api(standIn);
        var list = await api.CreateListAsync("list", "news@acme.test");
        await api.CreateCampaignAsync(list, "news@acme.test");
        await api.SubscribeAsync(list, "rejected@example.test");
        await api.SubscribeAsync(list, "fine@example.test");

        await Poll.UntilAsync(async () => (await api.OutboxAsync()) is var o && o.GetProperty("sent").GetInt32() == 1 && o.GetProperty("failed").GetInt32() == 1,
            Deadline, "one sent, one failed");

        var failed = (await api.MessagesAsync()).EnumerateArray().Single(m => m.GetProperty("State").GetString() == "failed");
        Assert.Equal("rejected@example.test", failed.GetProperty("To").GetString());
        Assert.Equal(1, failed.GetProperty("Attempts").GetInt32());
        Assert.Equal(1, sink.Refused);
        Assert.Equal(["fine@example.test"], sink.CountByRecipient().Keys);
    }

    /// <summary>A list with an immediate AFTER-SUBSCRIBE welcome and <paramref name="count"/> confirmed subscribers.</summary>
    internal static async Task<List<string>> SubscribeWithWelcomeAsync(StandInApi api, int count, int delayMinutes = 0)
    {
        var list = await api.CreateListAsync("list", "news@acme.test");
        await api.CreateCampaignAsync(list, "news@acme.test", delayMinutes);
        var emails = Enumerable.Range(1, count).Select(i => $"user{i}@example.test").ToList();
        foreach (var email in emails)
            await api.SubscribeAsync(list, email);
        return emails;
    }
}
