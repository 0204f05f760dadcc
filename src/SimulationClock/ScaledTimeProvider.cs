using System.Diagnostics;
using System.Globalization;

namespace SimulationClock;

/// <summary>
/// A clock that several processes agree on without talking to each other: virtual time starts at
/// <see cref="VirtualStart"/> when the real clock reads <see cref="RealAnchor"/> and runs <see cref="Speed"/> times
/// faster. The engine and both stand-ins read it from <c>EE_CLOCK</c> (<c>VIRTUAL_START@REAL_ANCHOR_UNIX_MS*SPEED</c>,
/// e.g. <c>2027-01-04T00:00:00Z@1796342400000*2000</c>), so a simulation's 70 days run in minutes and a process
/// restarted mid-run reads the same time as the others. Timers fire after their virtual delay divided by the speed.
/// </summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    public const string Variable = "EE_CLOCK";

    private readonly long _startTimestamp = System.GetTimestamp();
    private readonly DateTimeOffset _virtualAtStart;

    public ScaledTimeProvider(DateTimeOffset virtualStart, DateTimeOffset realAnchor, double speed)
    {
        if (speed <= 0 || double.IsNaN(speed) || double.IsInfinity(speed))
            throw new ArgumentOutOfRangeException(nameof(speed), "the speed must be a positive number");
        (VirtualStart, RealAnchor, Speed) = (virtualStart, realAnchor, speed);
        _virtualAtStart = Scale(System.GetUtcNow());
    }

    public DateTimeOffset VirtualStart { get; }
    public DateTimeOffset RealAnchor { get; }
    public double Speed { get; }

    /// <summary>The clock <c>EE_CLOCK</c> describes, or the system clock when it is unset.</summary>
    public static TimeProvider FromEnvironment() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } spec ? Parse(spec) : System;

    public static ScaledTimeProvider Parse(string spec)
    {
        var at = spec.IndexOf('@');
        var star = spec.LastIndexOf('*');
        if (at <= 0 || star < at
            || !DateTimeOffset.TryParse(spec[..at], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
            || !long.TryParse(spec[(at + 1)..star], NumberStyles.None, CultureInfo.InvariantCulture, out var anchorMs)
            || !double.TryParse(spec[(star + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var speed))
            throw new FormatException($"{Variable}: expected VIRTUAL_START@REAL_ANCHOR_UNIX_MS*SPEED (e.g. 2027-01-04T00:00:00Z@1796342400000*2000), got '{spec}'");
        return new ScaledTimeProvider(start, DateTimeOffset.FromUnixTimeMilliseconds(anchorMs), speed);
    }

    /// <summary>The <c>EE_CLOCK</c> value describing this clock, to hand to child processes.</summary>
    public string Spec => FormattableString.Invariant($"{VirtualStart.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}@{RealAnchor.ToUnixTimeMilliseconds()}*{Speed}");

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override DateTimeOffset GetUtcNow() => Scale(System.GetUtcNow());

    /// <summary>Virtual ticks since this object was made, on the monotonic clock (no jumps if the wall clock moves).</summary>
    public override long GetTimestamp() => (long)((System.GetTimestamp() - _startTimestamp) * Speed);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, Real(dueTime), Real(period)), this);

    private DateTimeOffset Scale(DateTimeOffset real) => VirtualStart + (real - RealAnchor) * Speed;

    private TimeSpan Real(TimeSpan virtualSpan) =>
        virtualSpan == Timeout.InfiniteTimeSpan ? virtualSpan : virtualSpan / Speed;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Real(dueTime), clock.Real(period));
        public void Dispose() => inner.Dispose();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
