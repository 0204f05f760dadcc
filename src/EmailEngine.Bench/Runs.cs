namespace EmailEngine.Bench;

/// <summary>How the benchmarks pick their figure among timed runs: the middle one, so a pass slowed by CPU steal does not set it.</summary>
internal static class Runs
{
    public static T MedianBy<T>(IReadOnlyCollection<T> runs, Func<T, double> by) => runs.OrderBy(by).ElementAt(runs.Count / 2);
}
