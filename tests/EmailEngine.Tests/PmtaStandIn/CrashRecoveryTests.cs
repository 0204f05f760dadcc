namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>An accepted message is in the spool before the 250: a SIGKILL loses none and delivers none twice.</summary>
[Trait("Category", "Crash")]
public sealed class CrashRecoveryTests
{
    private const string Config = """
        <source 127.0.0.1>
            always-allow-relaying yes
        </source>
        <domain crash.test>
            max-msg-rate 10/h
        </domain>
        """;

    [Fact]
    public async Task Sigkill_after_accepting_then_restart_delivers_every_message_exactly_once_at_the_same_pace()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config);
        await pmta.SendManyAsync(Enumerable.Range(0, 50).Select(i => ($"user{i}@crash.test", (Dictionary<string, string>?)null)));
        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count >= 10, TimeSpan.FromSeconds(20), "the first deliveries");

        var killedAt = await pmta.VirtualNowAsync();
        pmta.Kill();
        Assert.InRange(pmta.Mailboxes().Count, 10, 49); // the kill came while a backlog waited
        await pmta.StartProcessAsync();

        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count >= 50, TimeSpan.FromSeconds(30), "the rest after the restart");
        await Task.Delay(300); // a duplicate, if any, would show up right behind the last delivery
        var received = pmta.Mailboxes();
        Assert.Equal(50, received.Count);
        Assert.Equal(50, received.Select(r => r["messageId"]).Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"user{i}@crash.test").Order(), received.Select(r => r["rcpt"]).Order());
        // A message delivered after the restart keeps when it was accepted, before the kill (what tells a resend apart).
        Assert.All(received, r => Assert.True(PmtaDaemon.Time(r, "timeQueued") < killedAt, $"{r["rcpt"]} queued at {r["timeQueued"]}, killed at {killedAt:O}"));
        Assert.Contains(received, r => PmtaDaemon.Time(r) > killedAt);
        var delivered = pmta.Deliveries().Where(d => d["outcome"] == "delivered").ToList();
        Assert.Equal(50, delivered.Select(d => d["spoolId"]).Distinct().Count());
        Assert.Equal(10, PmtaDaemon.BusiestWindow(delivered.Select(PmtaDaemon.Time), TimeSpan.FromHours(1))); // the restart did not burst
        Assert.Empty(Directory.GetFiles(Path.Combine(pmta.StateDir, "spool")));
    }
}
