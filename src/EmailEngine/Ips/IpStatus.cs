namespace EmailEngine.Ips;

public enum IpStatus { Warming, Active, Paused, Retired }

public static class IpStatuses
{
    public static readonly IReadOnlyList<string> Names = Enum.GetValues<IpStatus>().Select(ToWire).ToList();

    public static string ToWire(IpStatus status) => status.ToString().ToLowerInvariant();

    public static IpStatus? Parse(string? text) =>
        Enum.TryParse<IpStatus>(text?.Trim(), ignoreCase: true, out var status) && Enum.IsDefined(status)
        && !int.TryParse(text, out _) ? status : null;

    /// <summary>
    /// Allowed moves. A retired IP can come back only through warming: its reputation has cooled and
    /// mailbox providers treat it as new again.
    /// </summary>
    private static readonly Dictionary<IpStatus, IpStatus[]> Allowed = new()
    {
        [IpStatus.Warming] = [IpStatus.Active, IpStatus.Paused, IpStatus.Retired],
        [IpStatus.Active] = [IpStatus.Paused, IpStatus.Retired],
        [IpStatus.Paused] = [IpStatus.Warming, IpStatus.Active, IpStatus.Retired],
        [IpStatus.Retired] = [IpStatus.Warming],
    };

    public static bool CanMove(IpStatus from, IpStatus to) => from == to || Allowed[from].Contains(to);

    public static IReadOnlyList<IpStatus> NextFrom(IpStatus from) => Allowed[from];
}
