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

    /// <summary>
    /// Each group's domains with their usual share of the group's recipients (a French-leaning consumer list), used to
    /// split a group's daily quota over its domains: PowerMTA paces each domain's queue on its own.
    /// </summary>
    private static readonly (string Domain, IspGroup Group, double Weight)[] Domains =
    [
        ("gmail.com", IspGroup.Gmail, 0.95), ("googlemail.com", IspGroup.Gmail, 0.05),
        ("hotmail.com", IspGroup.Microsoft, 0.30), ("hotmail.fr", IspGroup.Microsoft, 0.25), ("outlook.com", IspGroup.Microsoft, 0.15),
        ("outlook.fr", IspGroup.Microsoft, 0.10), ("live.fr", IspGroup.Microsoft, 0.10), ("live.com", IspGroup.Microsoft, 0.06),
        ("msn.com", IspGroup.Microsoft, 0.04),
        ("yahoo.fr", IspGroup.Yahoo, 0.35), ("yahoo.com", IspGroup.Yahoo, 0.35), ("aol.com", IspGroup.Yahoo, 0.12),
        ("ymail.com", IspGroup.Yahoo, 0.10), ("aol.fr", IspGroup.Yahoo, 0.08),
        ("icloud.com", IspGroup.Apple, 0.70), ("me.com", IspGroup.Apple, 0.20), ("mac.com", IspGroup.Apple, 0.10),
        ("orange.fr", IspGroup.Orange, 0.70), ("wanadoo.fr", IspGroup.Orange, 0.30),
    ];

    private static readonly FrozenDictionary<string, IspGroup> ByDomain =
        Domains.ToFrozenDictionary(d => d.Domain, d => d.Group, StringComparer.OrdinalIgnoreCase);

    /// <summary>The group of a recipient domain (case-insensitive); unknown domains are <see cref="IspGroup.Other"/>.</summary>
    public static IspGroup Of(string? recipientDomain) =>
        recipientDomain is not null && ByDomain.TryGetValue(recipientDomain, out var group) ? group : IspGroup.Other;

    /// <summary>The domains PowerMTA queues must be limited on for a group (empty for <see cref="IspGroup.Other"/>).</summary>
    public static IReadOnlyList<string> DomainsOf(IspGroup group) =>
        Domains.Where(d => d.Group == group).Select(d => d.Domain).Order(StringComparer.Ordinal).ToList();

    /// <summary>A group's domains with their weights (summing to 1), heaviest first.</summary>
    public static IReadOnlyList<(string Domain, double Weight)> WeightedDomainsOf(IspGroup group) =>
        Domains.Where(d => d.Group == group).OrderByDescending(d => d.Weight).ThenBy(d => d.Domain, StringComparer.Ordinal)
            .Select(d => (d.Domain, d.Weight)).ToList();

    public static string Name(this IspGroup group) => group.ToString().ToLowerInvariant();
}
