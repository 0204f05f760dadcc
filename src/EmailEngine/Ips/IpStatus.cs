namespace EmailEngine.Ips;

/// <summary>
/// <c>standby</c>: registered, not sending (no pool membership); <c>quarantined</c>: stopped by the warmup engine's
/// emergency gate (or an operator) for a cooling-off period.
/// </summary>
public enum IpStatus { Warming, Active, Paused, Retired, Quarantined, Standby }

public static class IpStatuses
{
    public static readonly IReadOnlyList<string> Names = Enum.GetValues<IpStatus>().Select(ToWire).ToList();

    public static string ToWire(IpStatus status) => status.ToString().ToLowerInvariant();

    public static IpStatus? Parse(string? text) =>
        Enum.TryParse<IpStatus>(text?.Trim(), ignoreCase: true, out var status) && Enum.IsDefined(status)
        && !int.TryParse(text, out _) ? status : null;

    /// <summary>
    /// Allowed moves. A retired, standby or quarantined IP can start sending again only through warming: its
    /// reputation has cooled (or was damaged) and mailbox providers treat it as new again.
    /// </summary>
    private static readonly Dictionary<IpStatus, IpStatus[]> Allowed = new()
    {
        [IpStatus.Warming] = [IpStatus.Active, IpStatus.Paused, IpStatus.Retired, IpStatus.Quarantined, IpStatus.Standby],
        [IpStatus.Active] = [IpStatus.Paused, IpStatus.Retired, IpStatus.Quarantined, IpStatus.Standby],
        [IpStatus.Paused] = [IpStatus.Warming, IpStatus.Active, IpStatus.Retired, IpStatus.Quarantined, IpStatus.Standby],
        [IpStatus.Quarantined] = [IpStatus.Warming, IpStatus.Retired, IpStatus.Standby],
        [IpStatus.Standby] = [IpStatus.Warming, IpStatus.Retired],
        [IpStatus.Retired] = [IpStatus.Warming, IpStatus.Standby],
    };

    /// <summary>Only these IPs are in the sending pool; the others keep their virtual MTA for accounting only.</summary>
    public static bool Sends(IpStatus status) => status is IpStatus.Active or IpStatus.Warming;

    public static bool CanMove(IpStatus from, IpStatus to) => from == to || Allowed[from].Contains(to);

    public static IReadOnlyList<IpStatus> NextFrom(IpStatus from) => Allowed[from];
}
