using EmailEngine.Deliverability;
using EmailEngine.Hosting;
using EmailEngine.Warmup;

namespace EmailEngine.Tests.Warmup;

public sealed class WarmupPlanTests
{
    [Fact]
    public void Conservative_plan_runs_70_days_from_5_to_20000_with_the_given_week_ends()
    {
        var days = WarmupPresets.Conservative.DailyQuotas;

        Assert.Equal(70, days.Count);
        Assert.Equal([5, 7, 10, 12, 15, 18, 20], days.Take(7));
        int[][] ends = [[25, 50], [55, 110], [125, 250], [280, 550], [600, 1_200], [1_400, 2_600], [2_800, 5_500], [6_000, 10_000], [11_000, 20_000]];
        for (var week = 2; week <= 10; week++)
        {
            Assert.Equal(ends[week - 2][0], days[(week - 1) * 7]);
            Assert.Equal(ends[week - 2][1], days[week * 7 - 1]);
        }
        Assert.All(Enumerable.Range(1, 69), i => Assert.True(days[i] > days[i - 1], $"day {i + 1} ({days[i]}) does not grow from {days[i - 1]}"));
        Assert.Equal([25, 28, 31, 35, 40, 45, 50], days.Skip(7).Take(7));
    }

    [Fact]
    public void Six_week_plan_is_flat_within_each_week()
    {
        var days = WarmupPresets.SixWeek.DailyQuotas;

        Assert.Equal(42, days.Count);
        Assert.Equal([50, 200, 500, 1_500, 5_000, 10_000], days.Chunk(7).Select(week => Assert.Single(week.Distinct())));
    }

    [Theory]
    [InlineData(5, "5/d")]
    [InlineData(20_000, "20000/d")]
    [InlineData(0, "1/d")] // never 0: PowerMTA reads a zero rate as unlimited
    public void Daily_quota_becomes_a_rate_with_a_one_day_window(int perDay, string rate) =>
        Assert.Equal(rate, WarmupPacing.Rate(perDay));

    [Theory]
    [InlineData(IspGroup.Gmail, 2)]
    [InlineData(IspGroup.Gmail, 8_000)]
    [InlineData(IspGroup.Microsoft, 7)]
    [InlineData(IspGroup.Microsoft, 101)]
    [InlineData(IspGroup.Yahoo, 4_000)]
    [InlineData(IspGroup.Orange, 3)]
    public void A_group_quota_is_split_over_its_domains_exactly_one_at_least_each_heaviest_first(IspGroup group, int quota)
    {
        var parts = WarmupPacing.SplitOverDomains(group, quota);

        Assert.Equal(IspGroups.DomainsOf(group).Order(), parts.Select(p => p.Domain).Order());
        Assert.Equal(quota, parts.Sum(p => p.Quota));
        Assert.All(parts, p => Assert.True(p.Quota >= 1));
        Assert.Equal(parts.Max(p => p.Quota), parts[0].Quota);
    }

    [Fact]
    public void A_group_never_gets_less_than_one_a_day_per_domain()
    {
        var state = new IpWarmup { PlanName = WarmupPresets.Conservative70, Quotas = WarmupPlan.FormatQuotas(WarmupPresets.Conservative.DailyQuotas) };
        state.SetAllSteps(1); // 5 a day: 30 % for Microsoft is 1, but it has 7 domains

        Assert.Equal(7, WarmupPacing.GroupQuota(state, IspGroup.Microsoft, new WarmupOptions()));
        Assert.Equal(2, WarmupPacing.GroupQuota(state, IspGroup.Gmail, new WarmupOptions()));
        Assert.Equal(1, WarmupPacing.GroupQuota(state, IspGroup.Other, new WarmupOptions()));
    }

    [Fact]
    public void Settings_override_thresholds_and_shares_and_refuse_nonsense()
    {
        var options = WarmupOptions.From(Settings(("WARMUP_ISP_SHARES", "gmail=0.5"), ("WARMUP_HARD_BOUNCE_RATE_7D", "0.01"), ("WARMUP_RUN_AT", "06:30")));

        Assert.Equal(0.5, options.IspShares[IspGroup.Gmail]);
        Assert.Equal(0.30, options.IspShares[IspGroup.Microsoft]);
        Assert.Equal(0.01, options.HardBounceRate7d);
        Assert.Equal(new DateOnly(2026, 11, 24), options.PeriodOf(new DateTimeOffset(2026, 11, 25, 6, 29, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 11, 25), options.PeriodOf(new DateTimeOffset(2026, 11, 25, 6, 30, 0, TimeSpan.Zero)));
        Assert.Contains("WARMUP_ISP_SHARES", Assert.Throws<ConfigurationError>(() => WarmupOptions.From(Settings(("WARMUP_ISP_SHARES", "hotmail=2")))).Message);
        Assert.Contains("0.3 %", Assert.Throws<ConfigurationError>(() => WarmupOptions.From(Settings(("WARMUP_COMPLAINT_RATE_24H", "0.005")))).Message);
    }

    private static EngineSettings Settings(params (string Key, string Value)[] values) =>
        SettingsLoader.FromValues(values.Append(("API_KEY", "operator-key-0123")).ToDictionary(v => v.Item1, v => v.Item2), Path.GetTempPath());
}
