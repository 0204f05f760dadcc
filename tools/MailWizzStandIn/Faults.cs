namespace MailWizzStandIn;

/// <summary>Fault injection, set at run time through <c>POST /_standin/faults</c>.</summary>
public sealed class Faults
{
    public double ErrorRate { get; set; }
    public int LatencyMs { get; set; }
    public DateTime DownUntil { get; set; }
    public double ThrottleRate { get; set; }
    /// <summary>Deterministic throttling: this many next requests get a 429, whatever the rate.</summary>
    public int ThrottleNext { get => _throttleNext; set => _throttleNext = value; }
    /// <summary>Deterministic outage of reads only: this many next GET requests get a 503, writes go through.</summary>
    public int FailNextReads { get => _failNextReads; set => _failNextReads = value; }
    public int RetryAfterSeconds { get; set; } = 1;

    private int _throttleNext;
    private int _failNextReads;

    /// <summary>Whether this request is one of the next throttled ones (and counts it).</summary>
    public bool TakeThrottled() => TakeOne(ref _throttleNext);

    /// <summary>Whether this read is one of the next failed ones (and counts it).</summary>
    public bool TakeFailedRead() => TakeOne(ref _failNextReads);

    // The faults endpoint sets the counts under the same lock.
    private bool TakeOne(ref int remaining)
    {
        lock (this)
        {
            if (remaining <= 0)
                return false;
            remaining--;
            return true;
        }
    }
}

public sealed record FaultsRequest(double? ErrorRate, int? LatencyMs, int? DownForSeconds, double? ThrottleRate, int? RetryAfterSeconds, int? ThrottleNext,
    int? FailNextReads);
