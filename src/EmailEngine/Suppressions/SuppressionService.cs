using System.Net.Mail;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Suppressions;

/// <summary>
/// Adds and checks suppressions; every addition also unsubscribes the address in MailWizz via the outbox and, for a
/// tenant's list, tells the tenant's webhooks (same transaction).
/// </summary>
public sealed class SuppressionService(AppDbContext db, OutboxWriter outbox, WebhookPublisher webhooks, ITenantsOfAddress contacts, TimeProvider clock)
{
    public const string UnsubscribeKind = "mailwizz.unsubscribe";

    public sealed record UnsubscribePayload(string Email);

    public static bool IsPlausibleAddress(string email) =>
        email.Length <= 320 && MailAddress.TryCreate(email.Trim(), out var parsed) && parsed.Address == email.Trim();

    /// <summary>Idempotent: an address already suppressed in that scope returns the existing entry (created = false).</summary>
    public async Task<Result<(Suppression Entry, bool Created)>> AddAsync(long? tenantId, string email, SuppressionReason reason,
        string source, string? note, CancellationToken ct)
    {
        if (!IsPlausibleAddress(email))
            return Failure.Field("email", "must be an email address");
        var address = Suppression.Normalize(email);
        var hash = Suppression.HashOf(address);
        var existing = await db.Set<Suppression>().SingleOrDefaultAsync(s => s.EmailHash == hash && s.TenantId == tenantId, ct);
        if (existing is not null)
            return (existing, false);
        var entry = new Suppression
        {
            TenantId = tenantId, Email = reason == SuppressionReason.Erased ? null : address, EmailHash = hash,
            Reason = reason, Source = source, Note = note, CreatedAt = clock.GetUtcNow(),
        };
        db.Add(entry);
        await outbox.EnqueueAsync(UnsubscribeKind, $"unsubscribe:{tenantId?.ToString() ?? "global"}:{hash}", tenantId,
            JsonSerializer.Serialize(new UnsubscribePayload(address)), ct);
        // A tenant hears of its own entries, and of a global one when the address is among its contacts.
        var told = tenantId is { } own ? [own] : await contacts.TenantsWithContactAsync(address, ct);
        await webhooks.PublishManyAsync(told.Select(tenant => SuppressionWebhookEvents.Of(entry, tenant)).ToList(), ct);
        await db.SaveChangesAsync(ct);
        return (entry, true);
    }

    public sealed record NewSuppression(long TenantId, string Email, SuppressionReason Reason, string Source, string? Note);

    /// <summary>
    /// Bulk <see cref="AddAsync"/> for tenant entries (accounting ingest): implausible addresses and addresses already
    /// suppressed in that tenant are skipped; one query per thousand addresses. Saves; returns how many were added.
    /// </summary>
    public async Task<int> AddManyAsync(IReadOnlyList<NewSuppression> entries, CancellationToken ct)
    {
        var wanted = entries.Where(e => IsPlausibleAddress(e.Email))
            .Select(e => (Entry: e, Hash: Suppression.HashOf(e.Email))).DistinctBy(e => (e.Entry.TenantId, e.Hash)).ToList();
        var existing = new HashSet<(long?, string)>();
        foreach (var hashes in wanted.Select(w => w.Hash).Distinct().Chunk(1000))
            foreach (var row in await db.Set<Suppression>().AsNoTracking().Where(s => hashes.Contains(s.EmailHash) && s.TenantId != null)
                         .Select(s => new { s.TenantId, s.EmailHash }).ToListAsync(ct))
                existing.Add((row.TenantId, row.EmailHash));
        var now = clock.GetUtcNow();
        var added = wanted.Where(w => !existing.Contains((w.Entry.TenantId, w.Hash))).ToList();
        var rows = added.Select(a => new Suppression
        {
            TenantId = a.Entry.TenantId, Email = Suppression.Normalize(a.Entry.Email), EmailHash = a.Hash, Reason = a.Entry.Reason,
            Source = a.Entry.Source, Note = a.Entry.Note, CreatedAt = now,
        }).ToList();
        db.AddRange(rows);
        await webhooks.PublishManyAsync(rows.Select(row => SuppressionWebhookEvents.Of(row, row.TenantId!.Value)).ToList(), ct);
        await outbox.EnqueueManyAsync(UnsubscribeKind, added.Select(a => new OutboxItem($"unsubscribe:{a.Entry.TenantId}:{a.Hash}", a.Entry.TenantId,
            JsonSerializer.Serialize(new UnsubscribePayload(Suppression.Normalize(a.Entry.Email))))).ToList(), ct);
        await db.SaveChangesAsync(ct);
        return added.Count;
    }

    /// <summary>
    /// Entries that stop mail to each (tenant, address): the tenant's own and the global ones, in one query (contact
    /// intake checks a group at once).
    /// </summary>
    public async Task<Dictionary<(long TenantId, string Email), List<Suppression>>> MatchesManyAsync(
        IReadOnlyList<(long TenantId, string Email)> wanted, CancellationToken ct)
    {
        var hashes = wanted.Select(w => Suppression.HashOf(w.Email)).Distinct().ToList();
        // By address hash alone, the tenants matched below: a tenant condition in the statement lets PostgreSQL's cached
        // generic plan read through the tenant index instead (ContactWriter met it on contacts).
        var found = await db.Set<Suppression>().AsNoTracking().Where(s => hashes.Contains(s.EmailHash)).ToListAsync(ct);
        return wanted.Distinct().ToDictionary(w => w, w =>
        {
            var hash = Suppression.HashOf(w.Email);
            return found.Where(s => s.EmailHash == hash && (s.TenantId == null || s.TenantId == w.TenantId)).ToList();
        });
    }

    /// <summary>Entries that stop mail to this address for this tenant: its own and the global ones.</summary>
    public async Task<List<Suppression>> MatchesAsync(long tenantId, string email, CancellationToken ct) =>
        (await MatchesManyAsync([(tenantId, email)], ct))[(tenantId, email)];
}
