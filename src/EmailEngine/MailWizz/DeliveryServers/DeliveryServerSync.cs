using System.Data.Common;
using System.Text.Json;
using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;
using MySqlConnector;

namespace EmailEngine.MailWizz.DeliveryServers;

public sealed record WrittenValues(string Status, int HourlyQuota, int DailyQuota, DateTimeOffset At)
{
    /// <summary>When MailWizz uses them at the latest: its quota cache is not cleared by a raw UPDATE.</summary>
    public DateTimeOffset EffectiveBy => At + MailWizzDatabase.QuotaCache;
}

/// <summary>
/// One IP's delivery server: what it must say today, and how its last sync went. <paramref name="Hostname"/> is where
/// MailWizz connects: the <c>smtp_host</c> of the IP's PowerMTA <paramref name="Host"/> (null while that host has none).
/// </summary>
/// <param name="Tenant">The tenant the IP sends for alone (null for a shared IP): only that tenant's campaigns may use the server.</param>
public sealed record DeliveryServerView(long IpId, string Ip, string Domain, string Vmta, string IpStatus, string? Tenant, string VmtaPool, string Host,
    string? Hostname, int? ServerId, string ImportName,
    DeliveryServerValues Desired, WrittenValues? Written, string Outcome, string? Detail, DateTimeOffset? AttemptedAt, int Failures,
    DateTimeOffset? NextAttemptAt);

/// <summary>
/// Keeps every IP's MailWizz delivery server in line with the IP's warmup and status (<see cref="DeliveryServerValues"/>).
/// A server is due when what it must say changed since the last write (a warmup decision, an IP paused or resumed), a
/// day after its last write (someone may have edited it in MailWizz), or when its retry time has come after a problem.
/// Problems (database down, server row missing, a MailWizz warmup plan set, no server linked) are recorded on the IP
/// and logged, and the next try waits 1 minute doubling up to an hour; nothing is lost meanwhile, since the values are
/// worked out afresh from the warmup at every try.
/// </summary>
public sealed class DeliveryServerSync(AppDbContext db, MailWizzDatabase mailWizz, WarmupOptions warmupOptions, PowerMta.Hosts.PmtaHostDirectory hosts,
    Outbox.OutboxWriter outbox, TimeProvider clock, ILogger<DeliveryServerSync> logger)
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMinutes(1), LongestRetry = TimeSpan.FromHours(1), Rewrite = TimeSpan.FromDays(1);

    /// <summary>
    /// One writer of the link rows at a time in this process: the worker, "sync now" and a link set by hand would each
    /// create an IP's first link row.
    /// </summary>
    private static readonly SemaphoreSlim Gate = new(1, 1);

    private sealed record Entry(SendingIp Ip, DeliveryServerLink Link, DeliveryServerValues Values, string? Hostname);

    public async Task<IReadOnlyList<DeliveryServerView>> ViewAsync(CancellationToken ct) =>
        (await LoadAsync(track: false, ct)).Select(View).ToList();

    /// <summary>Syncs the servers that are due, or all of them (<paramref name="everything"/>, the operator's "sync now").</summary>
    public async Task<IReadOnlyList<DeliveryServerView>> SyncAsync(bool everything, CancellationToken ct)
    {
        await Gate.WaitAsync(ct);
        try
        {
            return await SyncUnderGateAsync(everything, ct);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Links an IP to a MailWizz server (null unlinks), due at the next round whatever happened before, and queues the
    /// campaigns whose servers change with it, in one transaction.
    /// </summary>
    public async Task LinkAsync(long ipId, int? serverId, CancellationToken ct)
    {
        await Gate.WaitAsync(ct);
        try
        {
            try
            {
                await SaveLinkAsync(ipId, serverId, ct);
            }
            catch (DbUpdateException)
            {
                // Another engine on the same database created the IP's link row meanwhile (its round finds servers by
                // name): write over it. The gate orders the writers of this process only.
                db.ChangeTracker.Clear();
                await SaveLinkAsync(ipId, serverId, ct);
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task SaveLinkAsync(long ipId, int? serverId, CancellationToken ct)
    {
        var link = await db.Set<DeliveryServerLink>().SingleOrDefaultAsync(l => l.IpId == ipId, ct);
        if (link is null)
            db.Add(link = new DeliveryServerLink { IpId = ipId });
        (link.ServerId, link.Outcome, link.Detail, link.Failures, link.NextAttemptAt) = (serverId, SyncOutcome.Pending, null, 0, null);
        (link.WrittenStatus, link.WrittenHourlyQuota, link.WrittenDailyQuota, link.WrittenAt) = (null, null, null, null);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        await TenantServers.AlignAsync(db, outbox, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private async Task<IReadOnlyList<DeliveryServerView>> SyncUnderGateAsync(bool everything, CancellationToken ct)
    {
        var entries = await LoadAsync(track: true, ct);
        var now = clock.GetUtcNow();
        // A retired IP nobody linked has no server to disable: looking for one every hour would only warn.
        var due = entries.Where(e => !(e.Ip.Status == IpStatus.Retired && e.Link.ServerId is null) && (everything || IsDue(e, now))).ToList();
        if (due.Count > 0)
        {
            MySqlConnection? connection = null;
            try
            {
                connection = await mailWizz.OpenAsync(ct);
            }
            catch (Exception e) when (IsDatabaseProblem(e))
            {
                logger.LogWarning("MailWizz database unreachable, {Count} delivery server(s) wait: {Error}", due.Count, e.Message);
                foreach (var entry in due)
                    Problem(entry, SyncOutcome.Failed, $"MailWizz database unreachable: {e.Message}", now);
            }
            if (connection is not null)
                await using (connection)
                    foreach (var entry in due)
                        await SyncOneAsync(connection, entry, now, ct);
        }
        await db.SaveChangesAsync(ct);
        // A server found by its name is now linked: the campaigns of its IP's tenant may use it.
        if (await TenantServers.AlignAsync(db, outbox, ct) > 0)
            await db.SaveChangesAsync(ct);
        return entries.Select(View).ToList();
    }

    private static bool IsDue(Entry entry, DateTimeOffset now) =>
        entry.Link.NextAttemptAt is not { } next || next <= now || (entry.Link.Failures == 0 && !entry.Link.Wrote(entry.Values));

    private async Task SyncOneAsync(MySqlConnection connection, Entry entry, DateTimeOffset now, CancellationToken ct)
    {
        var (ip, link, values, hostname) = entry;
        try
        {
            if (link.ServerId is null)
            {
                var name = DeliveryServerValues.NameOf(ip);
                var found = await mailWizz.FindByNameAsync(connection, name, ct);
                if (found.Count != 1)
                {
                    Problem(entry, found.Count == 0 ? SyncOutcome.NotLinked : SyncOutcome.Ambiguous, found.Count == 0
                        ? $"no MailWizz delivery server is linked to this IP, and none of type smtp-pmta is named '{name}': import the CSV or link one"
                        : $"MailWizz servers {string.Join(", ", found)} are all named '{name}': link one by hand", now);
                    return;
                }
                if (await db.Set<DeliveryServerLink>().AnyAsync(l => l.ServerId == found[0] && l.IpId != ip.Id, ct))
                {
                    Problem(entry, SyncOutcome.Ambiguous, $"MailWizz server {found[0]} is named '{name}' but already linked to another IP", now);
                    return;
                }
                link.ServerId = found[0];
                logger.LogInformation("MailWizz delivery server {ServerId} linked to {Ip} by its name", found[0], ip.Address);
            }
            var outcome = await mailWizz.WriteAsync(connection, link.ServerId.Value, values, ct);
            if (outcome != SyncOutcome.Written)
            {
                Problem(entry, outcome, outcome switch
                {
                    SyncOutcome.Missing => $"MailWizz has no delivery server {link.ServerId}: it was deleted, or the link is wrong",
                    SyncOutcome.WarmupPlan => $"MailWizz delivery server {link.ServerId} has a warmup plan, which would overwrite these quotas every hour: remove it",
                    _ => $"MailWizz delivery server {link.ServerId} is being deleted",
                }, now);
                return;
            }
            (link.WrittenStatus, link.WrittenHourlyQuota, link.WrittenDailyQuota, link.WrittenAt) = (values.Status, values.HourlyQuota, values.DailyQuota, now);
            (link.Outcome, link.Detail, link.Failures, link.AttemptedAt, link.NextAttemptAt) = (SyncOutcome.Written, null, 0, now, now + Rewrite);
            logger.LogInformation("MailWizz delivery server {ServerId} of {Ip}: {Status}, {Hourly}/h, {Daily}/day ({Reason})",
                link.ServerId, ip.Address, values.Status, values.HourlyQuota, values.DailyQuota, values.Reason);
        }
        catch (Exception e) when (IsDatabaseProblem(e))
        {
            Problem(entry, SyncOutcome.Failed, $"MailWizz database: {e.Message}", now);
        }
    }

    private void Problem(Entry entry, SyncOutcome outcome, string detail, DateTimeOffset now)
    {
        var link = entry.Link;
        link.Failures++;
        (link.Outcome, link.Detail, link.AttemptedAt) = (outcome, detail, now);
        link.NextAttemptAt = now + Backoff.Doubling(FirstRetry, link.Failures, LongestRetry);
        logger.LogWarning("MailWizz delivery server of {Ip} not synced ({Outcome}), next try at {NextAttemptAt:O}: {Detail}",
            entry.Ip.Address, OutcomeName(outcome), link.NextAttemptAt, detail);
    }

    private static bool IsDatabaseProblem(Exception e) => e is DbException or IOException or System.Net.Sockets.SocketException or TimeoutException;

    /// <summary>Every IP with its warmup and link; links are created (tracked, unsaved) for IPs that have none yet.</summary>
    private async Task<List<Entry>> LoadAsync(bool track, CancellationToken ct)
    {
        var ips = await db.Set<SendingIp>().AsNoTracking().OrderBy(ip => ip.Id).ToListAsync(ct);
        var warmups = await db.Set<IpWarmup>().AsNoTracking().ToDictionaryAsync(w => w.IpId, ct);
        var links = await (track ? db.Set<DeliveryServerLink>() : db.Set<DeliveryServerLink>().AsNoTracking()).ToDictionaryAsync(l => l.IpId, ct);
        var hostnames = (await hosts.AllAsync(ct)).ToDictionary(h => h.Name, h => h.SmtpHost);
        return ips.Select(ip =>
        {
            if (!links.TryGetValue(ip.Id, out var link))
            {
                link = new DeliveryServerLink { IpId = ip.Id };
                if (track)
                    db.Add(link);
            }
            return new Entry(ip, link, DeliveryServerValues.For(ip, warmups.GetValueOrDefault(ip.Id), warmupOptions),
                hostnames.GetValueOrDefault(ip.HostName));
        }).ToList();
    }

    private static DeliveryServerView View(Entry entry)
    {
        var (ip, link, values, hostname) = entry;
        var written = link is { WrittenStatus: { } status, WrittenHourlyQuota: { } hourly, WrittenDailyQuota: { } daily, WrittenAt: { } at }
            ? new WrittenValues(status, hourly, daily, at) : null;
        return new(ip.Id, ip.Address, ip.Domain, ip.VmtaName, IpStatuses.ToWire(ip.Status), ip.Tenant?.Slug, ip.PoolName,
            ip.HostName, hostname, link.ServerId, DeliveryServerValues.NameOf(ip), values, written,
            OutcomeName(link.Outcome), link.Detail, link.AttemptedAt, link.Failures, link.NextAttemptAt);
    }

    public static string OutcomeName(SyncOutcome outcome) => JsonNamingPolicy.KebabCaseLower.ConvertName(outcome.ToString());
}
