namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>The accounting CSV as PowerMTA writes it (reference §2): header row, fields, quoting, rotation, expiry bounces.</summary>
public sealed class AccountingTests
{
    private const string Config = """
        <source 127.0.0.1>
            always-allow-relaying yes
        </source>
        <domain deferring.test>
            retry-after 20m
            bounce-after 2h
        </domain>
        <acct-file {dir}/acct/acct.csv>
            records d,b,t
            record-fields d *,header_X-EE-Tenant
            record-fields b *,header_X-EE-Tenant
        </acct-file>
        <acct-file {dir}/acct/small.csv>
            records d
            max-size 2k
        </acct-file>
        """;

    private const string Scenario = """
        {
          "seed": 7,
          "providers": [ { "name": "gmail", "domains": ["gmail.test"], "style": "gmail" } ],
          "rules": [
            { "localPartPrefix": "gone-", "set": { "hardBounce": 1.0 } },
            { "domain": "deferring.test", "set": { "deferral": 1.0 } }
          ]
        }
        """;

    private static readonly string[] DeliveryFields =
    [
        "type", "timeLogged", "timeQueued", "orig", "rcpt", "orcpt", "dsnAction", "dsnStatus", "dsnDiag", "dsnMta", "bounceCat", "srcType", "srcMta",
        "dlvType", "dlvSourceIp", "dlvDestinationIp", "dlvEsmtpAvailable", "dlvSize", "vmta", "jobId", "envId", "queue", "vmtaPool", "header_X-EE-Tenant",
    ];

    [Fact]
    public async Task Acct_csv_has_the_header_row_quoting_bounce_fields_and_rotates_at_midnight_and_at_max_size()
    {
        // Midnight comes 8 real seconds after the start (3,600×): time for the nine records on a busy machine.
        await using var pmta = await PmtaDaemon.StartAsync(Config, Scenario, virtualStart: new DateTimeOffset(2027, 1, 4, 16, 0, 0, TimeSpan.Zero));
        var tenant = new Dictionary<string, string> { ["X-EE-Tenant"] = "acme, \"inc\"" };
        var live = Path.Combine(pmta.Directory, "acct", "acct.csv");

        await pmta.SendManyAsync(Enumerable.Range(0, 8).Select(i => ($"user{i}@gmail.test", (Dictionary<string, string>?)tenant))
            .Append(("gone-1@gmail.test", tenant)));
        await PmtaDaemon.WaitUntilAsync(() => PmtaDaemon.ReadCsv(live).Count >= 9, TimeSpan.FromSeconds(10), "nine records");
        Assert.True(await pmta.VirtualNowAsync() < new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), "the machine is too slow for this test's clock");

        var header = PmtaDaemon.SplitCsv(File.ReadLines(live).First());
        Assert.Equal(DeliveryFields, header);
        var records = PmtaDaemon.ReadCsv(live);
        var delivered = records.Single(r => r["rcpt"] == "user0@gmail.test");
        Assert.Equal(("d", "relayed", "2.0.0 (success)", "acme, \"inc\"", "gmail.test/{default}", "{default}"),
            (delivered["type"], delivered["dsnAction"], delivered["dsnStatus"], delivered["header_X-EE-Tenant"], delivered["queue"], delivered["vmta"]));
        Assert.Matches(@"^2027-01-04 (1[6-9]|2\d):\d\d:\d\d\+0000$", delivered["timeLogged"]);
        var bounce = records.Single(r => r["rcpt"] == "gone-1@gmail.test");
        Assert.Equal(("b", "failed", "5.1.1 (bad destination mailbox address)", "bad-mailbox"), (bounce["type"], bounce["dsnAction"], bounce["dsnStatus"], bounce["bounceCat"]));
        Assert.StartsWith("smtp;550-5.1.1 The email account that you tried to reach does not exist.", bounce["dsnDiag"]);

        // Past virtual midnight the next record goes to a new file; the old one is renamed with its day.
        await PmtaDaemon.WaitUntilAsync(() => File.Exists(Path.Combine(pmta.Directory, "acct", "acct-2027-01-04-0000.csv")), TimeSpan.FromSeconds(15), "midnight rotation");
        await pmta.SendAsync("after-midnight@gmail.test", tenant);
        await PmtaDaemon.WaitUntilAsync(() => PmtaDaemon.ReadCsv(live).Count == 1, TimeSpan.FromSeconds(10), "a record in the new file");
        Assert.Equal(DeliveryFields, PmtaDaemon.SplitCsv(File.ReadLines(live).First()));
        Assert.StartsWith("2027-01-05 ", PmtaDaemon.ReadCsv(live)[0]["timeLogged"]);
        Assert.Equal(9, PmtaDaemon.ReadCsv(Path.Combine(pmta.Directory, "acct", "acct-2027-01-04-0000.csv")).Count);

        // small.csv (records d, max-size 2k) rotated on size: every part starts with the header, no record lost or doubled.
        // Each acct file is written in turn: wait for the last record to reach this one too.
        string[] Parts() => Directory.GetFiles(Path.Combine(pmta.Directory, "acct"), "small*.csv");
        await PmtaDaemon.WaitUntilAsync(() => Parts().Sum(p => PmtaDaemon.ReadCsv(p).Count) >= 9, TimeSpan.FromSeconds(10), "nine records in small*.csv");
        var parts = Parts();
        Assert.True(parts.Length >= 3, string.Join(", ", parts));
        Assert.All(parts, part => Assert.Equal("type", PmtaDaemon.SplitCsv(File.ReadLines(part).First())[0]));
        var smallRecords = parts.SelectMany(PmtaDaemon.ReadCsv).ToList();
        Assert.True(smallRecords.Count == 9, string.Join("\n", parts.Select(p => $"{p}: {string.Join(' ', PmtaDaemon.ReadCsv(p).Select(r => r["rcpt"]))}")));
        Assert.Equal(9, smallRecords.Select(r => r["rcpt"]).Distinct().Count()); // 8 + 1 deliveries; the bounce is not a d record
    }

    [Fact]
    public async Task A_recipient_deferred_until_bounce_after_gets_a_message_expired_b_record()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config, Scenario);
        var live = Path.Combine(pmta.Directory, "acct", "acct.csv");

        await pmta.SendAsync("someone@deferring.test");

        await PmtaDaemon.WaitUntilAsync(() => PmtaDaemon.ReadCsv(live).Any(r => r["type"] == "b"), TimeSpan.FromSeconds(15), "the expiry bounce");
        var records = PmtaDaemon.ReadCsv(live);
        var expired = records.Single(r => r["type"] == "b");
        Assert.Equal(("4.4.7 (delivery time expired)", "message-expired", "failed"), (expired["dsnStatus"], expired["bounceCat"], expired["dsnAction"]));
        var queued = DateTimeOffset.Parse(expired["timeQueued"].Replace("+0000", "Z"));
        var logged = DateTimeOffset.Parse(expired["timeLogged"].Replace("+0000", "Z"));
        // Expired at the first look after bounce-after (2 h), never before, and no later than the retry that would
        // have followed (retry-after 20m): the daemon's wake-up may be late by a fraction of a real second, minutes here.
        Assert.InRange(logged - queued, TimeSpan.FromHours(2), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(20));
        Assert.True(records.Count(r => r["type"] == "t") >= 2, "deferrals are written as t records");
        Assert.Empty(pmta.Mailboxes());
    }
}
