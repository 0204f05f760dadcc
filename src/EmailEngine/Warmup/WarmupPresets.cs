namespace EmailEngine.Warmup;

/// <summary>A plan as the engine uses it: a name and its daily quotas (preset or operator-defined).</summary>
public sealed record PlanQuotas(string Name, string? Description, IReadOnlyList<int> DailyQuotas, bool BuiltIn)
{
    public int Days => DailyQuotas.Count;

    /// <summary>The quota of a 1-based plan step; past the end the last quota holds.</summary>
    public int QuotaOf(int step) => DailyQuotas[Math.Clamp(step, 1, Days) - 1];
}

/// <summary>The two built-in plans.</summary>
public static class WarmupPresets
{
    public const string Conservative70 = "conservative-70";
    public const string SixWeeks = "six-weeks";

    // Declared before the presets: static fields initialise in order.
    private static readonly (int First, int Last)[] WeekEnds =
    [
        (25, 50), (55, 110), (125, 250), (280, 550), (600, 1_200), (1_400, 2_600), (2_800, 5_500), (6_000, 10_000), (11_000, 20_000),
    ];

    /// <summary>
    /// 70 days, 5/day → 20,000/day. Week 1 is given day by day; weeks 2–10 run geometrically between their given first
    /// and last days (reputation is built multiplicatively: each day about the same percentage more than the last),
    /// rounded to readable figures (1 under 100, 5 under 1,000, 50 above) with the ends exact.
    /// </summary>
    public static readonly PlanQuotas Conservative = new(Conservative70,
        "Conservative 70-day ramp from 5 to 20,000 messages a day", BuildConservative(), BuiltIn: true);

    /// <summary>Six weeks at a flat quota per week: 50, 200, 500, 1,500, 5,000, 10,000 a day.</summary>
    public static readonly PlanQuotas SixWeek = new(SixWeeks, "Six weeks, flat per week: 50, 200, 500, 1,500, 5,000, 10,000 a day",
        new[] { 50, 200, 500, 1_500, 5_000, 10_000 }.SelectMany(quota => Enumerable.Repeat(quota, 7)).ToList(), BuiltIn: true);

    public static readonly IReadOnlyList<PlanQuotas> All = [Conservative, SixWeek];

    public static PlanQuotas? Find(string name) => All.FirstOrDefault(p => p.Name == name);

    private static List<int> BuildConservative()
    {
        List<int> days = [5, 7, 10, 12, 15, 18, 20];
        foreach (var (first, last) in WeekEnds)
            days.AddRange(Enumerable.Range(0, 7).Select(i => i switch
            {
                0 => first,
                6 => last,
                _ => Readable(first * Math.Pow((double)last / first, i / 6.0)),
            }));
        return days;
    }

    private static int Readable(double value)
    {
        var unit = value < 100 ? 1 : value < 1_000 ? 5 : 50;
        return (int)(Math.Round(value / unit) * unit);
    }
}
