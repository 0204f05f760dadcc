using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Simulation;

/// <summary>
/// <c>email-engine simulate</c> as a user runs it: three real processes, a throw-away sshd, one virtual clock. Short
/// plans and few sign-ups keep each run under a minute and a half; the 70-day run is a benchmark (docs/simulate.md).
/// The runs themselves are in <see cref="SimulationRuns"/>, started together when this collection starts; each test
/// judges one.
/// </summary>
[Collection(nameof(SimulateTests))]
[Trait("Category", "Simulation")]
[Trait("Category", "Ssh")]
public sealed class SimulateTests(SimulationRuns runs)
{
    [Fact]
    public async Task A_run_with_each_process_killed_once_reaches_active_loses_nothing_and_no_ip_exceeds_its_quota()
    {
        // Nothing may be lost, received twice or left behind, and the warmup must go on as if nothing happened.
        var (run, output) = await runs.KillEach;

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var text = run.StdOut.ReplaceLineEndings(" ").Replace("  ", " ");
        foreach (var kill in new[] { "kill-engine", "kill-mailwizz", "kill-pmta" })
            Assert.Contains(kill, text);
        Assert.Contains("quota breaches 0, tenant leaks 0, lost 0, received twice 0, expired in PowerMTA 0", text);
        // A kill that cuts an SMTP handoff has the message sent again, as SMTP does. MailWizz hands over one message at a
        // time, so each of the two kills on that path (MailWizz, PowerMTA) cuts at most one.
        var resent = System.Text.RegularExpressions.Regex.Match(text, @"sent again because a kill cut the SMTP handoff \(.*?\): (\d+)");
        Assert.True(!resent.Success || int.Parse(resent.Groups[1].Value) <= 2, text);
        // Waiting by design (held for capacity, queued in MailWizz) is fine; a push the kill left behind is not.
        Assert.DoesNotContain("not pushed yet", text);
        Assert.Contains("vmta-1 active", run.StdOut);
        Assert.Contains("vmta-2 active", run.StdOut);
        var days = Days(output);
        Assert.Equal(8, days.Count); // 4 days × 2 IPs
        // Days 1–3 are the plan's; from day 4 the IPs are active and carry no warmup bound, and the report says so.
        Assert.All(days.Where(d => d.Day <= 3), d => Assert.True(d.Sent <= d.Quota, $"day {d.Day} {d.Vmta}: sent {d.Sent} > quota {d.Quota}"));
        Assert.All(days.Where(d => d.Day == 4), d => Assert.Null(d.Quota));
        Assert.Matches(@"day +4: vmta-1 \d+ \(active\) +vmta-2 \d+ \(active\)", run.StdOut);
        // Each tenant's own IP carried its mail: the bound was not met by sending nothing.
        Assert.All(days.GroupBy(d => d.Vmta), ip => Assert.True(ip.Sum(d => d.Sent) > 0, $"{ip.Key} sent nothing"));
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(output, "chart.svg")));
    }

    [Fact]
    public async Task Two_tenants_on_two_hosts_keep_their_mail_on_their_own_ips_through_a_host_restart()
    {
        var (run, _) = await runs.TwoHosts;
        var mailWizzDb = runs.TwoHostsMailWizzDb;

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var text = run.StdOut.ReplaceLineEndings(" ").Replace("  ", " ");
        Assert.Contains("pmta-restart pmta-2", text);
        Assert.Contains("quota breaches 0, tenant leaks 0, lost 0, received twice 0, expired in PowerMTA 0", text);
        // Mail really left through both hosts, from both tenants' IPs on each: the invariants were not met by sending nothing.
        var sentBy = System.Text.RegularExpressions.Regex.Matches(run.StdOut.Split("sent by host/owner:")[1].Split('\n')[0], @"(\S+/\S+) ([\d,]+)")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value.Replace(",", "")));
        Assert.Equal(["default/tenant-1", "default/tenant-2", "pmta-2/tenant-1", "pmta-2/tenant-2"], sentBy.Keys.Order());
        Assert.All(sentBy, s => Assert.True(s.Value > 0, $"nothing left through {s.Key}"));
        Assert.Contains("days a server handed PowerMTA more than its IP's quota 0", text);
        // Day 2's regular campaigns (each tenant to its whole list) compete with the welcomes for the same quotas: MailWizz
        // hands PowerMTA what the servers' rows allow and keeps the rest; none is lost or sent twice (the line above).
        // More than day 2's room: what did not fit waited in MailWizz and left on day 3 (or still waits there).
        var regular = System.Text.RegularExpressions.Regex.Match(text, @"regular campaigns: ([\d,]+) messages: (.*?); left the IPs on day\(s\) ([\d, ]+) sent by");
        Assert.True(regular.Success, text);
        Assert.True(int.Parse(regular.Groups[1].Value.Replace(",", "")) > 0, "the regular campaigns reached nobody");
        Assert.Contains("delivered", regular.Groups[2].Value);
        var regularDays = regular.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        // 28 subscribers by then, 4 servers at 7 a day on day 2, and the day's welcomes take their share first.
        Assert.True(regularDays[0] >= 2, regular.Value);
        Assert.True(regularDays.Count > 1 || regularDays[0] > 2 || regular.Groups[2].Value.Contains("waiting in MailWizz"),
            $"the whole campaign left on day 2: {regular.Value}");
        // conservative-70 sends 10 on day 3 and 12 on day 4 (the run ends half a day after day 3, its verdict taken): the
        // engine wrote the IP's quota into every server's row, and MailWizz logged what it sent through each.
        for (var serverId = 1; serverId <= 4; serverId++)
        {
            var row = await mailWizzDb.ServerAsync(serverId);
            Assert.Equal("active", row.Status);
            Assert.Contains(row.DailyQuota, new[] { 10, 12 });
        }
        Assert.True(await mailWizzDb.CountAsync("SELECT COUNT(DISTINCT server_id) FROM mw_delivery_server_usage_log") == 4, "MailWizz sent through every server");
    }

    [Fact]
    public async Task A_complaint_spike_on_one_ip_quarantines_exactly_that_ip()
    {
        // From day 2 a quarter of 203.0.113.2's (vmta-2's) mail draws a complaint, 30 virtual minutes after delivery.
        var (run, output) = await runs.ComplaintSpike;

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("vmta-2 quarantined", run.StdOut);
        Assert.DoesNotContain("vmta-1 quarantined", run.StdOut);
        // tenant-2's campaigns are held in MailWizz while its only IP is quarantined; tenant-1's sign-ups still go in and
        // its IP sends the next day (80 of 80 measured; 0 when any tenant's hold stopped every tenant's sign-ups).
        var days = Days(output);
        var quarantined = days.Single(d => d.Vmta == "vmta-2" && d.Decisions.Contains("quarantine")).Day;
        var after = days.Single(d => d.Vmta == "vmta-1" && d.Day == quarantined + 1);
        Assert.True(after.Sent > after.Quota / 4, $"day {after.Day}: vmta-1 sent {after.Sent} of {after.Quota} the day after vmta-2's quarantine");
    }

    [Fact]
    public async Task A_block_wave_at_one_provider_holds_only_that_providers_step()
    {
        // On day 2, Microsoft's domains refuse 60 % of the mail as a block; every other provider takes it.
        var (run, output) = await runs.BlockWave;

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var days = Days(output);
        Assert.Contains(days, d => d.Day == 2 && d.Decisions.Contains("hold:microsoft"));
        Assert.DoesNotContain(days, d => d.Decisions.Split(',').Any(x => x.StartsWith("hold:", StringComparison.Ordinal) && x != "hold:microsoft"));
        Assert.DoesNotContain(days, d => d.Decisions.Contains("pause") || d.Decisions.Contains("quarantine"));
    }

    [Fact]
    public async Task A_bounce_drift_pauses_72_hours_then_resumes_without_losing_the_sending_day()
    {
        // One IP; on day 2, 30 % of its mail hard-bounces.
        var (run, output) = await runs.BounceDrift;

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("lost 0, received twice 0, expired in PowerMTA 0", run.StdOut.ReplaceLineEndings(" ").Replace("  ", " "));
        var days = Days(output).ToDictionary(d => d.Day); // one IP: one row a day
        // A day's row carries its verdict (taken at the midnight that ends it).
        var paused = Assert.Single(days, d => d.Value.Decisions.Contains("pause")).Key;
        var resumed = Assert.Single(days, d => d.Value.Decisions.Contains("resume")).Key;
        Assert.Equal(2, paused); // the day of the burst, however late its verdict came
        Assert.Equal(3, resumed - paused); // 72 hours later
        // The pause is taken at the midnight that ends day 2 (once that day's bounces are pulled) and goes live with a
        // deployment, both late by seconds of real time (hours here): day 3 may send until then, never its whole quota
        // (measured: 0–33 of 80 alone, 42 once on a loaded machine, 2026-12-05); the days inside the pause send nothing.
        Assert.InRange(days[paused + 1].Sent, 0, days[paused].Quota!.Value * 3 / 4);
        Assert.All(Enumerable.Range(paused + 2, resumed - paused - 1), day => Assert.Equal(0, days[day].Sent));
        // The day that tripped the gate (day 2, 80) is sent again: a quarantine would restart at day 1 (40), a pause that
        // lost its day would send day 3 (160). The day after, the plan goes on.
        Assert.Equal((80, 80), (days[paused].Quota, days[resumed + 1].Quota));
        Assert.True(days[resumed + 1].Sent > 0, "nothing sent on the day the pause ended");
        Assert.Equal(160, days[resumed + 2].Quota);
    }

    private sealed record DayRow(int Day, string Vmta, int? Quota, int Sent, string Decisions);

    /// <summary>The run's day table (<c>days.csv</c>: day, ip, quota (empty once the IP is active), sent, delivered, bounced, complaints, "decisions").</summary>
    private static List<DayRow> Days(string output) =>
        File.ReadAllLines(Path.Combine(output, "days.csv")).Skip(1).Select(line => line.Split(',', 8))
            .Select(f => new DayRow(int.Parse(f[0]), f[1], f[2].Length == 0 ? null : int.Parse(f[2]), int.Parse(f[3]), f[7].Trim('"'))).ToList();
}

/// <summary>
/// The simulations start first and run beside the rest of the suite, their processes at real-time priority
/// (<c>chrt --rr 1</c>, see <see cref="SimulationRuns"/>): their virtual clock does not wait for a loaded machine.
/// </summary>
[CollectionDefinition(nameof(SimulateTests))]
[LongRunning(180)]
public sealed class SimulateTestsFirst : ICollectionFixture<SimulationRuns>;
