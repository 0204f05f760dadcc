namespace EmailEngine.Common;

/// <summary>The wait before the next try after repeated failures, the same rule wherever the engine retries.</summary>
public static class Backoff
{
    /// <summary><paramref name="first"/> × 2^(failures − 1), at most <paramref name="max"/> (no overflow at any count).</summary>
    public static TimeSpan Doubling(TimeSpan first, int failures, TimeSpan max)
    {
        var shift = Math.Clamp(failures - 1, 0, 20);
        return first.Ticks > max.Ticks >> shift ? max : TimeSpan.FromTicks(first.Ticks << shift);
    }
}
