namespace EmailEngine.Ips;

/// <summary>An IP's warmup as the IP routes start and show it (provided by Warmup).</summary>
public interface IIpWarmups
{
    /// <summary>
    /// Starts the default plan for an IP that is (or becomes) <c>warming</c> without a running one, in the caller's unit
    /// of work; a running, paused or quarantined warmup is left as it is.
    /// </summary>
    Task EnsureForWarmingAsync(SendingIp ip, DateTimeOffset now, string actor, CancellationToken ct);

    /// <summary>The warmups of these IPs (every IP's when null), by IP id; an IP that never had a plan has none.</summary>
    Task<IReadOnlyDictionary<long, IpWarmupSummary>> SummariesAsync(long[]? ipIds, CancellationToken ct);
}
