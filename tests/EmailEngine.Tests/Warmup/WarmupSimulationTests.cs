using EmailEngine.Deliverability.Stats;
using EmailEngine.Deliverability;
using EmailEngine.Ips;
using EmailEngine.Locks;
using EmailEngine.Warmup;
using Microsoft.Extensions.DependencyInjection;
using static EmailEngine.Tests.Warmup.WarmupSimulation;

namespace EmailEngine.Tests.Warmup;

/// <summary>The 70-day conservative plan simulated day by day over synthetic outcomes, with the rendered PowerMTA limits.</summary>
public sealed class WarmupSimulationTests : IAsyncLifetime
{
    private static readonly IReadOnlyList<int> Plan = WarmupPresets.Conservative.DailyQuotas;
    private WarmupSimulation _sim = null!;

    public async Task InitializeAsync() => _sim = await WarmupSimulation.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    /// <summary>
    /// The rates the IP's VMTA must carry at these plan steps (ISP shares 40/30/20/10/10/30 %): the day's quota on the
    /// VMTA, each group's quota (at least one per domain) split exactly over its domains, the other share per domain.
    /// </summary>
    private static void AssertLimits(string block, int ipStep, int? gmailStep = null)
    {
        var rates = RatesIn(block);
        var quota = Plan[ipStep - 1];
        Assert.Equal($"{quota}/d", rates["vmta"]);
        AssertGroupSplit(rates, IspGroup.Gmail, Math.Max(2, (int)(Plan[(gmailStep ?? ipStep) - 1] * 0.4)));
        AssertGroupSplit(rates, IspGroup.Microsoft, Math.Max(7, (int)(quota * 0.3)));
        AssertGroupSplit(rates, IspGroup.Yahoo, Math.Max(5, (int)(quota * 0.2)));
        AssertGroupSplit(rates, IspGroup.Apple, Math.Max(3, (int)(quota * 0.1)));
        AssertGroupSplit(rates, IspGroup.Orange, Math.Max(2, (int)(quota * 0.1)));
        Assert.Equal($"{Math.Max(1, (int)(quota * 0.3))}/d", rates["*"]);
    }

    private static void AssertGroupSplit(Dictionary<string, string> rates, IspGroup group, int groupQuota)
    {
        var perDomain = IspGroups.DomainsOf(group).Select(domain => PerDay(rates[domain])).ToList();
        Assert.Equal(groupQuota, perDomain.Sum());
        Assert.All(perDomain, quota => Assert.True(quota >= 1));
    }

    private async Task RunCleanUntilSendingDayAsync(int day)
    {
        while ((await _sim.StateAsync()).SendingDay < day)
            Assert.Equal(DecisionKind.Advance, Assert.Single((await _sim.RunDayAsync()).Decisions).Kind);
    }

    [Fact]
    public async Task Clean_ip_reaches_active_on_sending_day_70_and_its_limits_follow_every_step()
    {
        var first = await _sim.VmtaBlockAsync();
        Assert.Contains("    max-smtp-msg-rate 5/d\n", first); // at most 5 in any 24 hours
        Assert.Contains("    <domain gmail.com>\n        max-msg-rate 1/d\n        backoff-max-msg-rate 1/d\n    </domain>\n", first); // 40 % of 5 = 2, over 2 domains
        Assert.True(await _sim.InPoolAsync());

        for (var day = 1; day < 70; day++)
        {
            var result = await _sim.RunDayAsync();

            var decision = Assert.Single(result.Decisions);
            Assert.Equal(DecisionKind.Advance, decision.Kind);
            Assert.Equal(day + 1, decision.SendingDay);
            Assert.Contains("clean day", decision.Reason);
            Assert.Equal("failed", decision.DeploymentStatus); // no PowerMTA host in this test: recorded, not hidden
            AssertLimits(await _sim.VmtaBlockAsync(), day + 1);
        }
        Assert.Contains("    max-smtp-msg-rate 20000/d\n", await _sim.VmtaBlockAsync());
        // Gmail's 8,000: 1 each, then 7,998 by weight (95 % / 5 %), the largest remainder rounded up.
        Assert.Contains("    <domain gmail.com>\n        max-msg-rate 7599/d\n", await _sim.VmtaBlockAsync());
        Assert.Contains("    <domain googlemail.com>\n        max-msg-rate 401/d\n", await _sim.VmtaBlockAsync());

        var last = await _sim.RunDayAsync();

        var complete = Assert.Single(last.Decisions);
        Assert.Equal(DecisionKind.Complete, complete.Kind);
        Assert.Equal(70, complete.SendingDay);
        var state = await _sim.StateAsync();
        Assert.Equal(WarmupPhase.Completed, state.Phase);
        Assert.Equal(IpStatus.Active, state.Ip.Status);
        Assert.DoesNotContain("max-msg-rate", await _sim.VmtaBlockAsync()); // warm: the global ISP policies apply
        Assert.True(await _sim.InPoolAsync());
        Assert.Empty((await _sim.RunDayAsync()).Decisions);
    }

    [Fact]
    public async Task Bounce_drift_pauses_72_hours_then_resumes_without_losing_its_day()
    {
        await RunCleanUntilSendingDayAsync(30);

        // 4 % hard bounces a day: under the 5 % emergency stop, but the 7-day rate climbs past 2 %.
        WarmupRunResult result;
        do
            result = await _sim.RunDayAsync((_, sent) => new(sent, sent - sent * 4 / 100, 0, 0, sent * 4 / 100, 0, 0, 0, 0));
        while (result.Decisions.Single().Kind == DecisionKind.Advance);

        var pause = Assert.Single(result.Decisions);
        Assert.Equal(DecisionKind.Pause, pause.Kind);
        Assert.Contains("7-day hard bounce rate", pause.Reason);
        Assert.Contains("\"hard_bounce_rate_7d\":0.02", pause.Figures);
        var paused = await _sim.StateAsync();
        Assert.Equal(IpStatus.Paused, paused.Ip.Status);
        Assert.Equal(_sim.Clock.GetUtcNow().AddHours(72), paused.PausedUntil);
        var day = paused.SendingDay;
        Assert.Equal(pause.SendingDay, day);
        Assert.False(await _sim.InPoolAsync());
        AssertLimits(await _sim.VmtaBlockAsync(), day); // still capped at its step if addressed directly

        Assert.Empty((await _sim.RunDayAsync()).Decisions); // 24 h
        Assert.Empty((await _sim.RunDayAsync()).Decisions); // 48 h
        Assert.Equal(day, (await _sim.StateAsync()).SendingDay); // paused days do not count

        var resume = Assert.Single((await _sim.RunDayAsync()).Decisions); // 72 h
        Assert.Equal(DecisionKind.Resume, resume.Kind);
        Assert.Equal(day, resume.SendingDay);
        Assert.Equal(day, resume.Step);
        Assert.Equal(IpStatus.Warming, (await _sim.StateAsync()).Ip.Status);
        Assert.True(await _sim.InPoolAsync());
        AssertLimits(await _sim.VmtaBlockAsync(), day);

        // The drift before the pause was acted upon: a clean day after it advances (the 7-day window starts at the resume).
        var next = Assert.Single((await _sim.RunDayAsync()).Decisions);
        Assert.Equal(DecisionKind.Advance, next.Kind);
        Assert.Equal(day + 1, next.SendingDay);
        AssertLimits(await _sim.VmtaBlockAsync(), day + 1);
    }

    [Fact]
    public async Task Block_spike_at_one_isp_holds_only_that_isp()
    {
        await RunCleanUntilSendingDayAsync(35);

        var result = await _sim.RunDayAsync((group, sent) => group == IspGroup.Gmail
            ? new(sent, sent - sent / 10, 0, 0, 0, 0, sent / 10, 0, 0) // 10 % "421-4.7.0 unusual rate of unsolicited mail" blocks
            : Clean(group, sent));

        Assert.Equal([DecisionKind.Advance, DecisionKind.Hold], result.Decisions.Select(d => d.Kind));
        var hold = result.Decisions[1];
        Assert.Equal(IspGroup.Gmail, hold.Group);
        Assert.Equal(35, hold.Step);
        Assert.Contains("gmail 24-hour block rate", hold.Reason);
        var state = await _sim.StateAsync();
        Assert.Equal(35, state.StepOf(IspGroup.Gmail));
        Assert.All(IspGroups.All.Where(g => g != IspGroup.Gmail), g => Assert.Equal(36, state.StepOf(g)));
        AssertLimits(await _sim.VmtaBlockAsync(), ipStep: 36, gmailStep: 35);

        // Gmail stays one step behind, then catches up: the plan ends one sending day later.
        await RunCleanUntilSendingDayAsync(71);
        AssertLimits(await _sim.VmtaBlockAsync(), ipStep: 70);
        var complete = Assert.Single((await _sim.RunDayAsync()).Decisions);
        Assert.Equal(DecisionKind.Complete, complete.Kind);
        Assert.Equal(71, complete.SendingDay);
    }

    [Fact]
    public async Task Complaint_spike_in_24_hours_quarantines_the_ip_for_30_days()
    {
        await RunCleanUntilSendingDayAsync(20);

        var result = await _sim.RunDayAsync((_, sent) => new(sent, sent, 0, 0, 0, 0, 0, 0, sent / 20)); // 5 % complaints

        var quarantine = Assert.Single(result.Decisions);
        Assert.Equal(DecisionKind.Quarantine, quarantine.Kind);
        Assert.Contains("24-hour complaint rate", quarantine.Reason);
        var state = await _sim.StateAsync();
        Assert.Equal(IpStatus.Quarantined, state.Ip.Status);
        Assert.Equal(_sim.Clock.GetUtcNow().AddDays(30), state.PausedUntil);
        Assert.False(await _sim.InPoolAsync());
        Assert.Contains("    # quarantined\n", await _sim.VmtaBlockAsync());

        for (var day = 1; day < 30; day++)
            Assert.Empty((await _sim.RunDayAsync()).Decisions);
        var resume = Assert.Single((await _sim.RunDayAsync()).Decisions);

        Assert.Equal(DecisionKind.Resume, resume.Kind);
        Assert.Contains("starts again at day 1", resume.Reason);
        Assert.True(await _sim.InPoolAsync());
        AssertLimits(await _sim.VmtaBlockAsync(), 1);
    }

    [Fact]
    public async Task A_late_run_judges_the_day_that_ended_not_what_the_new_day_already_sent()
    {
        await RunCleanUntilSendingDayAsync(5);

        // The day ends clean, but the run comes seven hours late: by then the new day has sent with 30 % hard bounces.
        var before = await _sim.StateAsync();
        _sim.Clock.Advance(TimeSpan.FromDays(1));
        foreach (var group in IspGroups.All)
            _sim.Outcomes.Add(_sim.Vmta, group, _sim.Clock.GetUtcNow().AddHours(-2), WarmupSimulation.Clean(group, 20));
        _sim.Clock.Advance(TimeSpan.FromHours(7));
        foreach (var group in IspGroups.All)
            _sim.Outcomes.Add(_sim.Vmta, group, _sim.Clock.GetUtcNow().AddHours(-1), new(20, 14, 0, 0, 6, 0, 0, 0, 0));

        var late = Assert.Single((await _sim.RunEngineAsync()).Decisions);

        Assert.Equal(DecisionKind.Advance, late.Kind);
        Assert.Equal(before.SendingDay + 1, late.SendingDay);
        // The new day's bounces are judged at its own end.
        var next = Assert.Single((await _sim.RunDayAsync()).Decisions);
        Assert.Equal(DecisionKind.Quarantine, next.Kind);
    }

    [Fact]
    public async Task A_period_is_decided_once_across_instances_and_restarts()
    {
        _sim.Clock.Advance(TimeSpan.FromDays(1));

        var runs = await Task.WhenAll(_sim.RunEngineAsync(), _sim.RunEngineAsync());
        var again = await _sim.RunEngineAsync(); // a restarted process in the same period

        Assert.Single(runs.SelectMany(r => r.Decisions));
        Assert.Empty(again.Decisions);
        Assert.Equal(2, (await _sim.StateAsync()).SendingDay);
    }

    [Fact]
    public async Task Two_instances_without_a_shared_lock_still_decide_a_period_once()
    {
        _sim.Clock.Advance(TimeSpan.FromDays(1));
        var meeting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrived = 0;

        // Both instances load the IP and read its figures before either saves: only the version check can tell.
        var runs = await Task.WhenAll(RunAsSeparateInstanceAsync(), RunAsSeparateInstanceAsync());

        Assert.Single(runs.SelectMany(r => r.Decisions));
        Assert.Equal(2, (await _sim.StateAsync()).SendingDay);

        async Task<WarmupRunResult> RunAsSeparateInstanceAsync()
        {
            await using var scope = _sim.Server.Services.CreateAsyncScope();
            var outcomes = new MeetingOutcomes(_sim.Outcomes, () =>
            {
                if (Interlocked.Increment(ref arrived) == 2)
                    meeting.SetResult();
                return meeting.Task;
            });
            var engine = ActivatorUtilities.CreateInstance<WarmupEngine>(scope.ServiceProvider, _sim.Clock, (IWarmupOutcomes)outcomes,
                (IDistributedLock)new OwnProcessLock());
            return await engine.RunDueAsync(CancellationToken.None);
        }
    }

    /// <summary>Outcomes that hold the first query until the other instance has reached its own.</summary>
    private sealed class MeetingOutcomes(IWarmupOutcomes inner, Func<Task> meet) : IWarmupOutcomes
    {
        private Task? _met;

        public async Task<OutcomeTotals> TotalsAsync(string vmta, IspGroup? group, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
        {
            await (_met ??= meet());
            return await inner.TotalsAsync(vmta, group, from, to, ct);
        }
    }

    /// <summary>Another process's in-process lock: it never sees this one's holders (no Redis).</summary>
    private sealed class OwnProcessLock : IDistributedLock
    {
        public Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan lease, CancellationToken ct) =>
            Task.FromResult<IAsyncDisposable?>(new Released());

        private sealed class Released : IAsyncDisposable
        {
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
