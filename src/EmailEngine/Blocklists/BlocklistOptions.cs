using EmailEngine.Hosting;

namespace EmailEngine.Blocklists;

/// <summary>
/// <c>BLOCKLIST_MONITOR</c> (on): the periodic sweep. <c>BLOCKLIST_ZONES</c>: the zones to ask, by name (default all
/// of <see cref="BlocklistCatalog"/>). <c>SPAMHAUS_DQS_KEY</c>: query Spamhaus through DQS (a secret: never logged).
/// How often a target is asked: warming IPs every <c>BLOCKLIST_WARMING_HOURS</c> (2), other sending or standby IPs every
/// <c>BLOCKLIST_ACTIVE_HOURS</c> (4), domains every <c>BLOCKLIST_DOMAIN_HOURS</c> (12); due targets are looked for every
/// <c>BLOCKLIST_CHECK_SECONDS</c> (60).
/// </summary>
public sealed record BlocklistOptions(bool Monitor, IReadOnlyList<BlocklistZone> Zones, TimeSpan WarmingEvery, TimeSpan ActiveEvery,
    TimeSpan DomainEvery, TimeSpan CheckInterval)
{
    /// <summary>Queries in flight at once: the lists throttle bursts (SpamRATS, URIBL), and a sweep is small.</summary>
    public const int Concurrency = 4;

    public static BlocklistOptions From(EngineSettings settings)
    {
        var catalog = BlocklistCatalog.All(settings.Get("SPAMHAUS_DQS_KEY")?.Trim());
        var zones = catalog;
        if (settings.Get("BLOCKLIST_ZONES") is { } names)
        {
            var wanted = names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToList();
            var unknown = wanted.Where(n => catalog.All(z => z.Name != n)).ToList();
            if (unknown.Count > 0 || wanted.Count == 0)
                throw new ConfigurationError("BLOCKLIST_ZONES", $"unknown zone(s) {string.Join(", ", unknown)}; known: {string.Join(", ", catalog.Select(z => z.Name))}");
            zones = catalog.Where(z => wanted.Contains(z.Name)).ToList();
        }
        return new(settings.Switch("BLOCKLIST_MONITOR", true), zones,
            TimeSpan.FromHours(settings.Whole("BLOCKLIST_WARMING_HOURS", 2, min: 1)),
            TimeSpan.FromHours(settings.Whole("BLOCKLIST_ACTIVE_HOURS", 4, min: 1)),
            TimeSpan.FromHours(settings.Whole("BLOCKLIST_DOMAIN_HOURS", 12, min: 1)),
            TimeSpan.FromSeconds(settings.Whole("BLOCKLIST_CHECK_SECONDS", 60, min: 1)));
    }
}
