using EmailEngine.Common;

namespace EmailEngine.Outbox;

public sealed class OutboxOptions
{
    public int BatchSize { get; set; } = 50;
    public int MaxAttempts { get; set; } = 12;
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>How long a claimed message stays with its worker before another may take it (crash recovery).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>Messages handled concurrently within one batch (different resources only).</summary>
    public int Parallelism { get; set; } = 4;
    /// <summary>At most this many messages of one tenant handed to a handler together (1: one push per remote call).</summary>
    public int GroupMax { get; set; } = 1000;

    /// <summary>Exponential backoff with full jitter, capped: 2 s, 4 s, 8 s … 10 min.</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var capped = Backoff.Doubling(BaseDelay, attempts, MaxDelay).TotalSeconds;
        return TimeSpan.FromSeconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
