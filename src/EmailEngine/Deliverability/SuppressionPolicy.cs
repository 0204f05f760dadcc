using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.Suppressions;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Deliverability;

/// <summary>
/// What a bounce or complaint does to the recipient's address, per tenant: hard bounces and complaints suppress at
/// once; soft bounces suppress after <see cref="AcctOptions.SoftBounceLimit"/> within <see cref="AcctOptions.SoftBounceWindow"/>
/// (counted by the records' own times, so re-reading old files decides the same). Blocks and other failures
/// never suppress: they are the sending IP's problem, not the recipient's. Suppressions go through
/// <see cref="SuppressionService"/>, which also queues the MailWizz unsubscribe. Runs in the caller's transaction.
/// </summary>
public sealed class SuppressionPolicy(AppDbContext db, SuppressionService suppressions, AcctOptions options)
{
    /// <returns>How many suppressions were added.</returns>
    public async Task<int> ApplyAsync(BounceClass @class, IReadOnlyList<long> tenants, string email, DateTimeOffset at, string source,
        string why, CancellationToken ct)
    {
        if (!SuppressionService.IsPlausibleAddress(email))
            return 0;
        var added = 0;
        foreach (var tenant in tenants)
        {
            var reason = @class switch
            {
                BounceClass.Hard => SuppressionReason.HardBounce,
                BounceClass.Complaint => SuppressionReason.Complaint,
                BounceClass.Soft when await SoftLimitReachedAsync(tenant, email, at, source, ct) => SuppressionReason.SoftBounce,
                _ => (SuppressionReason?)null,
            };
            if (reason is null)
                continue;
            var note = reason == SuppressionReason.SoftBounce ? $"{options.SoftBounceLimit} soft bounces within {options.SoftBounceWindow.TotalDays:0} days; last: {why}" : why;
            var result = await suppressions.AddAsync(tenant, email, reason.Value, source, Truncate(note, 500), ct);
            if (result.IsSuccess && result.Value.Created)
                added++;
        }
        return added;
    }

    private async Task<bool> SoftLimitReachedAsync(long tenant, string email, DateTimeOffset at, string source, CancellationToken ct)
    {
        var hash = Suppression.HashOf(email);
        db.Add(new SoftBounce { TenantId = tenant, EmailHash = hash, At = at, Source = Truncate(source, 200) });
        await db.SaveChangesAsync(ct);
        var since = at - options.SoftBounceWindow;
        var count = await db.Set<SoftBounce>().CountAsync(b => b.TenantId == tenant && b.EmailHash == hash && b.At > since && b.At <= at, ct);
        return count >= options.SoftBounceLimit;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
