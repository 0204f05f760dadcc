namespace EmailEngine.Tests.Infrastructure;

/// <summary>A clock the test moves by hand: a simulated day takes no real time.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
