using System.Net.Mail;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Suppressions;

/// <summary>Adds and checks suppressions; every addition also unsubscribes the address in MailWizz via the outbox.</summary>
public sealed class SuppressionService(AppDbContext db, OutboxWriter outbox, TimeProvider clock)
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
        var hash = Suppression.HashOf(email);
        var existing = await db.Set<Suppression>().SingleOrDefaultAsync(s => s.EmailHash == hash && s.TenantId == tenantId, ct);
        if (existing is not null)
            return (existing, false);
        var entry = new Suppression
        {
            TenantId = tenantId, Email = reason == SuppressionReason.Erased ? null : Suppression.Normalize(email), EmailHash = hash,
            Reason = reason, Source = source, Note = note, CreatedAt = clock.GetUtcNow(),
        };
        db.Add(entry);
        await outbox.EnqueueAsync(UnsubscribeKind, $"unsubscribe:{tenantId?.ToString() ?? "global"}:{hash}", tenantId,
            JsonSerializer.Serialize(new UnsubscribePayload(Suppression.Normalize(email))), ct);
        await db.SaveChangesAsync(ct);
        return (entry, true);
    }

    /// <summary>Entries that stop mail to this address for this tenant: its own and the global ones.</summary>
    public Task<List<Suppression>> MatchesAsync(long tenantId, string email, CancellationToken ct)
    {
        var hash = Suppression.HashOf(email);
        return db.Set<Suppression>().AsNoTracking()
            .Where(s => s.EmailHash == hash && (s.TenantId == null || s.TenantId == tenantId)).ToListAsync(ct);
    }
}
