using MailKit.Net.Smtp;

namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>SMTP submission to the daemon: relaying per source, X-Virtual-MTA selection, header stripping, pools.</summary>
public sealed class SmtpIntakeTests
{
    private const string Config = """
        host-name pmta.test
        <source 0/0>
            always-allow-relaying no
        </source>
        <source 127.0.0.1>
            always-allow-relaying yes
            process-x-virtual-mta yes
        </source>
        <source 127.0.0.3>
            always-allow-relaying yes
            process-x-virtual-mta yes
            retain-x-virtual-mta yes
        </source>
        <source 127.0.0.4>
            always-allow-relaying yes
            default-virtual-mta pool-a
        </source>
        <virtual-mta vmta-1>
            smtp-source-host 203.0.113.1 mail1.test
        </virtual-mta>
        <virtual-mta vmta-2>
            smtp-source-host 203.0.113.2 mail2.test
        </virtual-mta>
        <virtual-mta-pool pool-a>
            virtual-mta vmta-1
            virtual-mta vmta-2
        </virtual-mta-pool>
        <virtual-mta-pool pool-empty>
        </virtual-mta-pool>
        """;

    [Fact]
    public async Task Relay_is_refused_from_a_source_without_relaying_and_an_unknown_vmta_is_refused()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config);

        var relay = await Assert.ThrowsAsync<SmtpCommandException>(() => pmta.SendAsync("someone@example.com", bindTo: "127.0.0.2"));
        Assert.Equal(550, (int)relay.StatusCode);
        Assert.StartsWith("5.7.1 relaying denied", relay.Message);

        var unknown = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            pmta.SendAsync("someone@example.com", new Dictionary<string, string> { ["X-Virtual-MTA"] = "no-such-vmta" }));
        Assert.Equal(5, (int)unknown.StatusCode / 100);
        Assert.Contains("no-such-vmta", unknown.Message);
        // A pool left with no member (every IP stopped) is refused the same way, not a failed session.
        var empty = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            pmta.SendAsync("someone@example.com", new Dictionary<string, string> { ["X-Virtual-MTA"] = "pool-empty" }));
        Assert.Equal(5, (int)empty.StatusCode / 100);
        Assert.Contains("pool-empty", empty.Message);
        Assert.Empty(Directory.Exists(Path.Combine(pmta.StateDir, "spool")) ? Directory.GetFiles(Path.Combine(pmta.StateDir, "spool")) : []);
    }

    [Fact]
    public async Task X_Virtual_MTA_picks_the_vmta_and_is_stripped_unless_the_source_retains_it_and_pools_round_robin()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config);

        await pmta.SendAsync("stripped@example.com", new Dictionary<string, string> { ["X-Virtual-MTA"] = "vmta-2" }, messageId: "stripped@t");
        await pmta.SendAsync("kept@example.com", new Dictionary<string, string> { ["X-Virtual-MTA"] = "vmta-2" }, bindTo: "127.0.0.3", messageId: "kept@t");
        await pmta.SendAsync("default@example.com", messageId: "default@t");
        for (var i = 0; i < 4; i++)
            await pmta.SendAsync($"pool{i}@example.com", new Dictionary<string, string> { ["X-Virtual-MTA"] = "vmta-1" }, bindTo: "127.0.0.4", messageId: $"pool{i}@t");

        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count == 7, TimeSpan.FromSeconds(20), "7 deliveries");
        var received = pmta.Mailboxes().ToDictionary(r => r["rcpt"]);
        Assert.Equal(("vmta-2", "203.0.113.2", ""), (received["stripped@example.com"]["vmta"], received["stripped@example.com"]["sourceIp"], received["stripped@example.com"]["xVirtualMta"]));
        Assert.Equal(("vmta-2", "vmta-2"), (received["kept@example.com"]["vmta"], received["kept@example.com"]["xVirtualMta"]));
        Assert.Equal("{default}", received["default@example.com"]["vmta"]);
        // 127.0.0.4 does not process the header: its default pool alternates between members.
        Assert.Equal(["vmta-1", "vmta-2", "vmta-1", "vmta-2"], Enumerable.Range(0, 4).Select(i => received[$"pool{i}@example.com"]["vmta"]));
        Assert.Equal("", received["pool0@example.com"]["xVirtualMta"]); // ignored, and still stripped (retain-x-virtual-mta is off)
    }
}
