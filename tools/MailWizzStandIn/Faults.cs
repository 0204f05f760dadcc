namespace MailWizzStandIn;

/// <summary>Fault injection, set at run time through <c>POST /_standin/faults</c>.</summary>
public sealed class Faults
{
    public double ErrorRate { get; set; }
    public int LatencyMs { get; set; }
    public DateTime DownUntil { get; set; }
    public double ThrottleRate { get; set; }
    /// <summary>Deterministic throttling: this many next requests get a 429, whatever the rate.</summary>
    public int ThrottleNext { get; set; }
    /// <summary>Deterministic outage of reads only: this many next GET requests get a 503, writes go through.</summary>
    public int FailNextReads { get; set; }
    public int RetryAfterSeconds { get; set; } = 1;
}

public sealed record FaultsRequest(double? ErrorRate, int? LatencyMs, int? DownForSeconds, double? ThrottleRate, int? RetryAfterSeconds, int? ThrottleNext,
    int? FailNextReads);
