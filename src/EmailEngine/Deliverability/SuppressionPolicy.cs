using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.Suppressions;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability;

/// <summary>A bounce or complaint of one recipient, for the tenants whose lists hold it.</summary>
public sealed record BounceEvent(BounceClass Class, IReadOnlyList<long> Tenants, string Email, DateTimeOffset At, string Source, string Why);

/// <summary>
/// What bounces and complaints do to the recipients' addresses, per tenant: hard bounces and complaints suppress at
/// once; soft bounces suppress after <see cref="AcctOptions.SoftBounceLimit"/> within <see cref="AcctOptions.SoftBounceWindow"/>
/// (counted by the records' own times, so re-reading old files decides the same). Blocks and other failures never
/// suppress: they are the sending IP's problem, not the recipient's. Suppressions go through
/// <see cref="SuppressionService"/>, which also queues the MailWizz unsubscribes. Works per batch, in the caller's transaction.
/// </summary>
public sealed class SuppressionPolicy(AppDbContext db, SuppressionService suppressions, AcctOptions options)
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
        var since = softs.Min(e => e.At) - options.SoftBounceWindow;
        var history = new List<(long TenantId, string EmailHash, DateTimeOffset At)>();
        foreach (var hashes in bounces.Select(b => b.EmailHash).Distinct().Chunk(1000))
            history.AddRange((await db.Set<SoftBounce>().AsNoTracking().Where(b => hashes.Contains(b.EmailHash) && b.At > since)
                .Select(b => new { b.TenantId, b.EmailHash, b.At }).ToListAsync(ct)).Select(b => (b.TenantId, b.EmailHash, b.At)));
        var byAddress = history.ToLookup(h => (h.TenantId, h.EmailHash), h => h.At);
        var reached = new List<SuppressionService.NewSuppression>();
        foreach (var e in softs)
            foreach (var tenant in e.Tenants)
            {
                var within = byAddress[(tenant, Suppression.HashOf(e.Email))].Count(at => at > e.At - options.SoftBounceWindow && at <= e.At);
                if (within >= options.SoftBounceLimit)
                    reached.Add(new(tenant, e.Email, SuppressionReason.SoftBounce, Truncate(e.Source, 200),
                        Truncate($"{options.SoftBounceLimit} soft bounces within {options.SoftBounceWindow.TotalDays:0} days; last: {e.Why}", 500)));
            }
        return reached;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
