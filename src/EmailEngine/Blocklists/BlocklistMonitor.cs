using EmailEngine.Alerts;
using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Dkim;
using EmailEngine.Ips;
using EmailEngine.Locks;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Blocklists;

/// <summary>What one sweep asked and what changed, each change with the action taken.</summary>
public sealed record SweepReport(string? Skipped, int Targets, int Queries, IReadOnlyList<string> BrokenZones, IReadOnlyList<string> Changes);

/// <summary>
/// One sweep: the due targets (sending and standby IPs, their domains and the DKIM-managed sending domains) on every zone
/// that covers them, after each zone's test points proved it answers as documented. New listings and delistings are
/// recorded with what was done about them: a critical listing takes a sending IP out of its pool (paused, its previous
/// status kept) and puts the oldest clean standby IP of the same owner (tenant or shared pool) in at warmup day 1, then
/// PowerMTA is redeployed through the usual path; when no critical listing is left, the IP returns to the status it had
/// (a warming IP at its sending day, which did not advance while it was out). Checker errors touch nothing. One engine sweeps at a time (a distributed lock).
/// </summary>
public sealed class BlocklistMonitor(AppDbContext db, BlocklistChecker checker, BlocklistOptions options, WarmupOptions warmup,
    WarmupDeployment deployment, AlertCenter alerts, IDistributedLock locks, TimeProvider clock, ILogger<BlocklistMonitor> logger)
{
    private const string LockName = "blocklist-sweep";
    private const string Actor = "blocklists";

    public async Task<SweepReport> SweepAsync(bool everything, CancellationToken ct)
    {
        await using var held = await locks.TryAcquireAsync(LockName, TimeSpan.FromMinutes(10), ct);
        if (held is null)
            return new("another engine is sweeping", 0, 0, [], []);
        var now = clock.GetUtcNow();
        var targets = await DueTargetsAsync(now, everything, ct);
        if (targets.Count == 0)
            return new(null, 0, 0, [], []);

        // Every zone's test points first, all at once (each asks a different list): only zones that answer them are asked.
        var probed = await Task.WhenAll(options.Zones.Where(z => targets.Any(t => z.Covers(t.Name)))
            .Select(async zone => (Zone: zone, Problem: await checker.ProbeAsync(zone, ct))));
        var zones = probed.Where(p => p.Problem is null).Select(p => p.Zone).ToList();
        var broken = probed.Where(p => p.Problem is not null).Select(p => $"{p.Zone.Name}: {p.Problem}").ToList();

        using var gate = new SemaphoreSlim(BlocklistOptions.Concurrency);
        var answers = await Task.WhenAll(targets.SelectMany(t => zones.Where(z => z.Covers(t.Name)).Select(async zone =>
        {
            await gate.WaitAsync(ct);
            try
            {
                return await checker.CheckAsync(zone, t.Name, ct);
            }
            finally
            {
                gate.Release();
            }
        })));

        var changes = new SweepChanges();
        foreach (var answer in answers)
            await RecordAsync(answer, now, changes, ct);
        await db.SaveChangesAsync(ct);
        foreach (var target in targets.Where(t => t.Ip is not null).Select(t => t.Ip!).Distinct())
            await ActOnIpAsync(target, now, changes.Lines, ct);
        foreach (var line in broken)
            logger.LogWarning("Blocklist zone not trusted this sweep: {Problem}", line);
        await AlertAsync(probed, answers, changes, ct);
        await db.SaveChangesAsync(ct);
        return new(null, targets.Count, answers.Length, broken, changes.Lines);
    }

    private sealed class SweepChanges
    {
        public readonly List<string> Lines = [];
        /// <summary>Listings seen this sweep (new or still there), and the ones that are gone.</summary>
        public readonly List<BlocklistListing> Listed = [], Closed = [];
    }

    public static string AlertKey(BlocklistListing listing) => $"blocklist:{listing.Target}:{listing.Zone}";

    /// <summary>
    /// One alert per listing (its severity, what it means, what was done, how to get delisted), resolved at delisting;
    /// one checker alert per zone that cannot be trusted (its test points or an error code), resolved once it answers again.
    /// </summary>
    private async Task AlertAsync(IReadOnlyList<(BlocklistZone Zone, string? Problem)> probed, IReadOnlyList<ZoneAnswer> answers, SweepChanges changes,
        CancellationToken ct)
    {
        // Raising an open alert again only refreshes it: no second message while the listing stays.
        foreach (var listing in changes.Listed)
            await alerts.RaiseAsync(AlertKey(listing), SeverityOf(listing.Severity), $"{listing.Target} listed on {listing.Zone} ({listing.Sublists})",
                $"{listing.Meaning}\n{(listing.Txt is null ? "" : $"The list says: {listing.Txt}\n")}{listing.Action ?? "No sending change (not a critical listing)."}\n"
                + "Fix the cause first (list hygiene, complaints, traps), then follow the list's delisting procedure; the engine sees the delisting by itself.", ct);
        foreach (var listing in changes.Closed)
            await alerts.ResolveAsync(AlertKey(listing), $"{listing.Target} is no longer listed on {listing.Zone}. {listing.DelistAction}", ct);
        foreach (var (zone, problem) in probed)
        {
            var errors = answers.Where(a => a.Zone == zone.Name && a.State == ListingState.Error).ToList();
            var key = $"blocklist-checker:{zone.Name}";
            if (problem is null && errors.Count == 0)
                await alerts.ResolveAsync(key, $"{zone.Name} answers as documented again.", ct);
            else
                await alerts.RaiseAsync(key, AlertSeverity.Warning, $"Blocklist checker error on {zone.Name}",
                    (problem is null ? $"{errors.Count} answer(s) were errors, e.g. {errors[0].Target}: {errors[0].Error}" : $"{zone.Name} is not trusted: {problem}")
                    + ". Nothing was changed for the targets on this zone. Check DNS_SERVERS (your own resolver, not a public one) and the list's terms (a DQS key for Spamhaus).", ct);
        }
    }

    private static AlertSeverity SeverityOf(ListingSeverity severity) => severity switch
    {
        ListingSeverity.Critical => AlertSeverity.Critical,
        ListingSeverity.Warning => AlertSeverity.Warning,
        _ => AlertSeverity.Info,
    };

    /// <summary>An IP (with its row) or a domain.</summary>
    private sealed record Target(string Name, SendingIp? Ip);

    private async Task<List<Target>> DueTargetsAsync(DateTimeOffset now, bool everything, CancellationToken ct)
    {
        var ips = await db.Set<SendingIp>().Where(i => i.Status != IpStatus.Retired).ToListAsync(ct);
        var domains = ips.Select(i => i.Domain).Concat(await db.Set<SendingDomain>().Select(d => d.Name).ToListAsync(ct))
            .Select(d => d.ToLowerInvariant()).Distinct().ToList();
        var lastChecked = await db.Set<BlocklistCheck>().GroupBy(c => c.Target).Select(g => new { g.Key, At = g.Min(c => c.CheckedAt) })
            .ToDictionaryAsync(g => g.Key, g => g.At, ct);
        bool Due(string target, TimeSpan every) => everything || !lastChecked.TryGetValue(target, out var at) || now - at >= every;
        return ips.Where(i => Due(i.Address, i.Status == IpStatus.Warming ? options.WarmingEvery : options.ActiveEvery))
            .Select(i => new Target(i.Address, i))
            .Concat(domains.Where(d => Due(d, options.DomainEvery)).Select(d => new Target(d, null)))
            .ToList();
    }

    private async Task RecordAsync(ZoneAnswer answer, DateTimeOffset now, SweepChanges changes, CancellationToken ct)
    {
        var check = await db.Set<BlocklistCheck>().FindAsync([answer.Target, answer.Zone], ct);
        if (check is null)
            db.Add(check = new BlocklistCheck { Target = answer.Target, Zone = answer.Zone, Detail = "" });
        check.State = answer.State;
        check.Detail = TextCut.Ellipsis(answer.Summary, 1000);
        check.CheckedAt = now;
        if (answer.State == ListingState.Error)
            return; // an error says nothing about the target: an open listing stays open, a clean target stays clean

        var open = await db.Set<BlocklistListing>().SingleOrDefaultAsync(l => l.Target == answer.Target && l.Zone == answer.Zone && l.DelistedAt == null, ct);
        if (answer.State == ListingState.Listed)
        {
            if (open is null)
            {
                var listing = new BlocklistListing
                {
                    Target = answer.Target, Zone = answer.Zone, Codes = string.Join(',', answer.Codes.Select(c => c.Code)),
                    Sublists = string.Join(',', answer.Codes.Select(c => c.Sublist).Distinct()), Meaning = TextCut.Ellipsis(answer.Summary, 1000),
                    Severity = answer.Severity!.Value, Txt = answer.Txt is null ? null : TextCut.Ellipsis(answer.Txt, 1000), ListedAt = now, LastSeenAt = now,
                };
                db.Add(listing);
                changes.Listed.Add(listing);
                changes.Lines.Add($"{answer.Target} listed on {answer.Zone} ({answer.Severity.Value.ToString().ToLowerInvariant()}): {answer.Summary}");
            }
            else
            {
                open.LastSeenAt = now;
                changes.Listed.Add(open);
                open.Codes = string.Join(',', answer.Codes.Select(c => c.Code));
            }
        }
        else if (open is not null)
        {
            open.DelistedAt = now;
            changes.Closed.Add(open);
            changes.Lines.Add($"{answer.Target} delisted from {answer.Zone} (listed since {open.ListedAt:u})");
        }
    }

    /// <summary>Takes an IP out of sending on its first open critical listing; puts it back when none is left.</summary>
    private async Task ActOnIpAsync(SendingIp ip, DateTimeOffset now, List<string> changes, CancellationToken ct)
    {
        var listings = await db.Set<BlocklistListing>().Where(l => l.Target == ip.Address && l.Severity == ListingSeverity.Critical)
            .OrderBy(l => l.Id).ToListAsync(ct);
        var open = listings.Where(l => l.DelistedAt == null).ToList();
        // The listing whose action took the IP out, while the IP is still out because of it.
        var takenOutBy = listings.LastOrDefault(l => l.IpStatusBefore is not null && l.DelistAction is null);
        var decisions = new List<WarmupDecision>();
        BlocklistListing explained;
        string action;
        if (takenOutBy is null && open.Count > 0 && ip.Status is IpStatus.Warming or IpStatus.Active)
        {
            explained = open[0];
            explained.IpStatusBefore = IpStatuses.ToWire(ip.Status);
            ip.Status = IpStatus.Paused;
            ip.UpdatedAt = now;
            action = $"{ip.Address} taken out of sending (was {explained.IpStatusBefore}) for its {explained.Sublists} listing on {explained.Zone}";
            if (await CleanStandbyAsync(ip, ct) is not { } standby)
                action += $"; no clean standby IP of {ip.PoolName} to put in";
            else
            {
                decisions.Add((await WarmupStart.BeginAsync(db, standby, WarmupPresets.Conservative, day: 1, warmup, now, Actor, ct)).Decision);
                action += $"; standby {standby.Address} put in, warming from day 1 on plan {WarmupPresets.Conservative.Name}";
            }
        }
        else if (takenOutBy is not null && open.Count == 0 && ip.Status == IpStatus.Paused)
        {
            explained = takenOutBy;
            ip.Status = IpStatuses.Parse(takenOutBy.IpStatusBefore)!.Value;
            ip.UpdatedAt = now;
            action = $"{ip.Address} back to {takenOutBy.IpStatusBefore}: no critical listing left";
        }
        else
        {
            if (takenOutBy is not null && open.Count == 0)
            {
                // Moved by hand while it was out: the operator's choice stands.
                takenOutBy.DelistAction = $"{ip.Address} left {IpStatuses.ToWire(ip.Status)}: its status was changed by hand while it was out";
                await db.SaveChangesAsync(ct);
            }
            return;
        }
        await db.SaveChangesAsync(ct);
        var deployed = await deployment.DeployAsync(decisions, [ip.Id], Actor, ct);
        action += $"; PowerMTA deployment {deployed.Id}: {PowerMta.Deploy.DeploymentStatuses.ToWire(deployed.Status)}"
            + (deployed.Error is null ? "" : $" ({deployed.Error})");
        if (explained == takenOutBy)
            explained.DelistAction = TextCut.Ellipsis(action, 1000);
        else
            explained.Action = TextCut.Ellipsis(action, 1000);
        await db.SaveChangesAsync(CancellationToken.None); // the outcome is recorded even if the sweep was cancelled meanwhile
        changes.Add(action);
        logger.LogWarning("Blocklists: {Action}", action);
    }

    /// <summary>
    /// The longest-waiting standby IP of the listed IP's owner (its tenant, or its shared pool) with no open critical
    /// listing of its own. Only the same owner's: another's standby would start sending in that owner's pool, replacing
    /// nothing here.
    /// </summary>
    private async Task<SendingIp?> CleanStandbyAsync(SendingIp listed, CancellationToken ct)
    {
        var listedCritical = db.Set<BlocklistListing>().Where(l => l.DelistedAt == null && l.Severity == ListingSeverity.Critical).Select(l => l.Target);
        return await db.Set<SendingIp>().Where(i => i.Status == IpStatus.Standby && i.Id != listed.Id && !listedCritical.Contains(i.Address)
                && i.TenantId == listed.TenantId && i.Pool == listed.Pool)
            .OrderBy(i => i.Id).FirstOrDefaultAsync(ct);
    }
}
