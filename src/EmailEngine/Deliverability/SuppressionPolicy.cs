using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Suppressions;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability;

/// <summary>A bounce or complaint of one recipient, for the tenants whose lists hold it.</summary>
public sealed record BounceEvent(BounceClass Class, IReadOnlyList<long> Tenants, string Email, DateTimeOffset At, string Source, string Why);

/// <summary>
/// When soft bounces suppress an address: <see cref="Limit"/> of them within <see cref="Window"/>. Keys
/// <c>ACCT_SOFT_BOUNCE_LIMIT</c> (3) and <c>ACCT_SOFT_BOUNCE_DAYS</c> (7), read with the accounting settings' prefix
/// because accounting is where soft bounces come from.
/// </summary>
public sealed record SoftBounceRule(int Limit, TimeSpan Window)
{
    public static SoftBounceRule From(EngineSettings settings) => new(
        settings.Whole("ACCT_SOFT_BOUNCE_LIMIT", 3, min: 1),
        TimeSpan.FromDays(settings.Whole("ACCT_SOFT_BOUNCE_DAYS", 7, min: 1)));
}

/// <summary>
/// What bounces and complaints do to the recipients' addresses, per tenant: hard bounces and complaints suppress at
/// once; soft bounces suppress after <see cref="SoftBounceRule.Limit"/> within <see cref="SoftBounceRule.Window"/>
/// (counted by the records' own times, so re-reading old files decides the same). Blocks and other failures never
/// suppress: they are the sending IP's problem, not the recipient's. Suppressions go through
/// <see cref="SuppressionService"/>, which also queues the MailWizz unsubscribes. Works per batch, in the caller's transaction.
/// </summary>
public sealed class SuppressionPolicy(AppDbContext db, SuppressionService suppressions, SoftBounceRule rule)
{
    /// <returns>How many suppressions were added.</returns>
    public async Task<int> ApplyAsync(IReadOnlyList<BounceEvent> events, CancellationToken ct)
    {
        var entries = new List<SuppressionService.NewSuppression>();
        foreach (var e in events.Where(e => e.Class is BounceClass.Hard or BounceClass.Complaint))
            foreach (var tenant in e.Tenants)
                entries.Add(new(tenant, e.Email, e.Class == BounceClass.Hard ? SuppressionReason.HardBounce : SuppressionReason.Complaint,
                    Truncate(e.Source, 200), Truncate(e.Why, 500)));
        entries.AddRange(await SoftLimitsReachedAsync(events.Where(e => e.Class == BounceClass.Soft && SuppressionService.IsPlausibleAddress(e.Email)).ToList(), ct));
        return entries.Count == 0 ? 0 : await suppressions.AddManyAsync(entries, ct);
    }

    private async Task<List<SuppressionService.NewSuppression>> SoftLimitsReachedAsync(List<BounceEvent> softs, CancellationToken ct)
    {
        if (softs.Count == 0)
            return [];
        var bounces = softs.SelectMany(e => e.Tenants.Select(t => new SoftBounce { TenantId = t, EmailHash = Suppression.HashOf(e.Email), At = e.At, Source = Truncate(e.Source, 200) })).ToList();
        db.AddRange(bounces);
        await db.SaveChangesAsync(ct);
        var since = softs.Min(e => e.At) - rule.Window;
        var history = new List<(long TenantId, string EmailHash, DateTimeOffset At)>();
        foreach (var hashes in bounces.Select(b => b.EmailHash).Distinct().Chunk(1000))
            history.AddRange((await db.Set<SoftBounce>().AsNoTracking().Where(b => hashes.Contains(b.EmailHash) && b.At > since)
                .Select(b => new { b.TenantId, b.EmailHash, b.At }).ToListAsync(ct)).Select(b => (b.TenantId, b.EmailHash, b.At)));
        var byAddress = history.ToLookup(h => (h.TenantId, h.EmailHash), h => h.At);
        var reached = new List<SuppressionService.NewSuppression>();
        foreach (var e in softs)
            foreach (var tenant in e.Tenants)
            {
                var within = byAddress[(tenant, Suppression.HashOf(e.Email))].Count(at => at > e.At - rule.Window && at <= e.At);
                if (within >= rule.Limit)
                    reached.Add(new(tenant, e.Email, SuppressionReason.SoftBounce, Truncate(e.Source, 200),
                        Truncate($"{rule.Limit} soft bounces within {rule.Window.TotalDays:0} days; last: {e.Why}", 500)));
            }
        return reached;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
