using EmailEngine.Deliverability;

namespace EmailEngine.Simulation;

/// <summary>
/// The simulated sign-ups: addresses spread over the providers as a French consumer list is (Gmail 35 %, Microsoft 25 %,
/// Yahoo 15 %, Apple 8 %, Orange 7 %, others 10 %), each group's domains weighted as the engine weighs them.
/// Deterministic for a seed.
/// </summary>
public sealed class Recipients(int seed)
{
    private static readonly (IspGroup Group, double Share)[] Mix =
    [
        (IspGroup.Gmail, 0.35), (IspGroup.Microsoft, 0.25), (IspGroup.Yahoo, 0.15), (IspGroup.Apple, 0.08), (IspGroup.Orange, 0.07), (IspGroup.Other, 0.10),
    ];

    private static readonly (string Domain, double Weight)[] OtherDomains = [("free.fr", 0.4), ("laposte.net", 0.3), ("sfr.fr", 0.2), ("gmx.fr", 0.1)];

    private readonly Random _random = new(seed);
    private int _next;

    public string Next()
    {
        var group = Pick(Mix.Select(m => (m.Group, m.Share)).ToList());
        var domain = Pick(group == IspGroup.Other ? OtherDomains.ToList() : IspGroups.WeightedDomainsOf(group).ToList());
        return $"sim.{++_next:D6}@{domain}";
    }

    private T Pick<T>(IReadOnlyList<(T Item, double Weight)> choices)
    {
        var roll = _random.NextDouble() * choices.Sum(c => c.Weight);
        foreach (var (item, weight) in choices)
            if ((roll -= weight) < 0)
                return item;
        return choices[^1].Item;
    }
}
