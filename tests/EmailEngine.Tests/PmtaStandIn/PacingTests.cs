using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>
/// Paces as PowerMTA means them (no more than N sends in ANY window of length T), proven from deliveries.csv while a
/// backlog waits, per queue (`max-msg-rate`) and per VMTA across domains (`max-smtp-msg-rate`), and changed by a reload.
/// </summary>
[LongRunning(20)]
public sealed class PacingTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private const string Config = """
        <source 127.0.0.1>
            always-allow-relaying yes
            process-x-virtual-mta yes
        </source>
        <virtual-mta vmta-1>
            smtp-source-host 203.0.113.1 mail1.test
            <domain slow.test>
                max-msg-rate 10/h
            </domain>
        </virtual-mta>
        <virtual-mta vmta-capped>
            smtp-source-host 203.0.113.9 mail9.test
            max-smtp-msg-rate 12/h
        </virtual-mta>
        <domain slow.test>
            max-msg-rate 1000/h
        </domain>
        <domain *>
            max-msg-rate unlimited
        </domain>
        """;

    private static Dictionary<string, string> Via(string vmta) => new() { ["X-Virtual-MTA"] = vmta };

    [Fact]
    public async Task Max_msg_rate_10_per_hour_holds_in_every_sliding_hour_while_the_backlog_drains()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config);

        await pmta.SendManyAsync(Enumerable.Range(0, 35).Select(i => ($"user{i}@slow.test", (Dictionary<string, string>?)Via("vmta-1"))));

        // A delivery is written to mailboxes.csv, then to deliveries.csv: wait for both.
        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count >= 35 && pmta.Deliveries().Count >= 35, TimeSpan.FromSeconds(30), "the backlog to drain");
        var sends = pmta.Deliveries().Where(d => d["queue"] == "slow.test/vmta-1").Select(PmtaDaemon.Time).ToList();
        Assert.Equal(35, sends.Count);
        Assert.Equal(10, PmtaDaemon.BusiestWindow(sends, Hour)); // vmta-level 10/h beats the top-level 1000/h
        Assert.True(sends.Max() - sends.Min() >= 3 * Hour, $"35 at 10/h need at least 3 hours, took {sends.Max() - sends.Min()}");
        Assert.Equal(35, pmta.Mailboxes().Select(r => r["messageId"]).Distinct().Count());
    }

    [Fact]
    public async Task Max_smtp_msg_rate_bounds_the_vmta_total_across_domains()
    {
        await using var pmta = await PmtaDaemon.StartAsync(Config);

        await pmta.SendManyAsync(new[] { "a.test", "b.test", "c.test" }
            .SelectMany(domain => Enumerable.Range(0, 10).Select(i => ($"user{i}@{domain}", (Dictionary<string, string>?)Via("vmta-capped")))));

        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count >= 30 && pmta.Deliveries().Count >= 30, TimeSpan.FromSeconds(30), "the backlog to drain");
        var sends = pmta.Deliveries().Where(d => d["vmta"] == "vmta-capped").ToList();
        Assert.Equal(30, sends.Count);
        Assert.Equal(3, sends.Select(d => d["queue"]).Distinct().Count());
        Assert.Equal(12, PmtaDaemon.BusiestWindow(sends.Select(PmtaDaemon.Time), Hour));
    }

    [Fact]
    public async Task Pmta_reload_changes_the_rate_of_a_running_daemon()
    {
        // 100 at 1/h: at 3,600× the clock runs on while the daemon starts, the messages are handed over and the reload
        // command starts a runtime (seconds on a busy machine, so hours here); at 1/h that costs a message an hour, and the
        // backlog outlasts any of it. Once reloaded at 60/h, what is left drains in under two hours.
        var slow = Config.Replace("max-msg-rate 10/h", "max-msg-rate 1/h");
        await using var pmta = await PmtaDaemon.StartAsync(slow);
        await pmta.SendManyAsync(Enumerable.Range(0, 100).Select(i => ($"user{i}@slow.test", (Dictionary<string, string>?)Via("vmta-1"))));
        await PmtaDaemon.WaitUntilAsync(() => pmta.Deliveries().Count >= 3, TimeSpan.FromSeconds(20), "the first three");

        var beforeReload = await pmta.VirtualNowAsync();
        pmta.WriteConfig(slow.Replace("max-msg-rate 1/h", "max-msg-rate 60/h"));
        var reload = await pmta.ReloadAsync();
        Assert.True(reload.ExitCode == 0, reload.StdErr);
        var reloaded = await pmta.VirtualNowAsync();

        await PmtaDaemon.WaitUntilAsync(() => pmta.Mailboxes().Count >= 100 && pmta.Deliveries().Count >= 100, TimeSpan.FromSeconds(40), "the backlog to drain");
        var sends = pmta.Deliveries().Select(PmtaDaemon.Time).ToList();
        Assert.Equal(1, PmtaDaemon.BusiestWindow(sends.Where(t => t < beforeReload), Hour));
        Assert.True(sends.Max() > reloaded, $"the backlog was gone at the old rate before the reload returned ({beforeReload:O} to {reloaded:O})");
        Assert.True(sends.Count(t => t >= beforeReload) > 60, "the old rate did not hold the backlog until the reload");
        // Once in force, the new rate lets out a burst up to 60 in the sliding hour: far faster than 1/h, never above 60/h.
        Assert.InRange(PmtaDaemon.BusiestWindow(sends, Hour), 11, 60);
        // What was left when the reload returned leaves at 60/h (within an hour per sixty, plus the hour's burst room), where
        // at 1/h it would take an hour each.
        var left = sends.Count(t => t >= reloaded);
        Assert.True(sends.Max() - reloaded <= TimeSpan.FromHours(left / 60.0 + 1), $"{left} left after the reload took until {sends.Max():O} (reload returned {reloaded:O})");
    }
}
