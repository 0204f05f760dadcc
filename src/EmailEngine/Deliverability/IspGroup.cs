using System.Collections.Frozen;

namespace EmailEngine.Deliverability;

/// <summary>
/// The mailbox-provider families that stats, warmup caps and gates are kept per. Providers judge a sender across all
/// of their domains (hotmail.com and outlook.fr share one reputation), so limits are set per family, not per domain.
/// </summary>
public enum IspGroup { Gmail, Microsoft, Yahoo, Apple, Orange, Other }

public static class IspGroups
{
    public static readonly IReadOnlyList<IspGroup> All = Enum.GetValues<IspGroup>();

    private static readonly FrozenDictionary<string, IspGroup> ByDomain = new Dictionary<string, IspGroup>
    {
        ["gmail.com"] = IspGroup.Gmail, ["googlemail.com"] = IspGroup.Gmail,
        ["outlook.com"] = IspGroup.Microsoft, ["outlook.fr"] = IspGroup.Microsoft, ["hotmail.com"] = IspGroup.Microsoft,
        ["hotmail.fr"] = IspGroup.Microsoft, ["live.com"] = IspGroup.Microsoft, ["live.fr"] = IspGroup.Microsoft,
        ["msn.com"] = IspGroup.Microsoft,
        ["yahoo.com"] = IspGroup.Yahoo, ["yahoo.fr"] = IspGroup.Yahoo, ["ymail.com"] = IspGroup.Yahoo,
        ["aol.com"] = IspGroup.Yahoo, ["aol.fr"] = IspGroup.Yahoo,
        ["icloud.com"] = IspGroup.Apple, ["me.com"] = IspGroup.Apple, ["mac.com"] = IspGroup.Apple,
        ["orange.fr"] = IspGroup.Orange, ["wanadoo.fr"] = IspGroup.Orange,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The group of a recipient domain (case-insensitive); unknown domains are <see cref="IspGroup.Other"/>.</summary>
    public static IspGroup Of(string? recipientDomain) =>
        recipientDomain is not null && ByDomain.TryGetValue(recipientDomain, out var group) ? group : IspGroup.Other;

    /// <summary>The domains PowerMTA queues must be limited on for a group (empty for <see cref="IspGroup.Other"/>).</summary>
    public static IReadOnlyList<string> DomainsOf(IspGroup group) =>
        ByDomain.Where(pair => pair.Value == group).Select(pair => pair.Key).Order(StringComparer.Ordinal).ToList();

    public static string Name(this IspGroup group) => group.ToString().ToLowerInvariant();
}
