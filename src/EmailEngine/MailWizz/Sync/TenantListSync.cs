using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Each tenant has one MailWizz list, named <c>ee:{tenant}</c>, created on demand from its sender settings.
/// Only the list's own outbox messages create or update it (they run one at a time), so concurrent template and
/// campaign pushes never race to create two lists; they wait for it instead. Lookup by name before creating makes
/// a repeat after a crash adopt the list instead of duplicating it.
/// </summary>
public sealed class TenantListSync(MailWizzClient client, AppDbContext db, EngineSettings settings, TimeProvider clock)
{
    public static string ListName(string slug) => $"ee:{slug}";

    public sealed record Outcome(string? ListUid, OutboxResult? Problem);

    /// <summary>For pushes that need the list: its uid, or a deferral that makes sure the list's own push is queued.</summary>
    public async Task<Outcome> RequireAsync(Tenant tenant, CancellationToken ct)
    {
        if (MissingSender(tenant) is { } waiting)
            return new(null, waiting);
        if (tenant.ListSync.RemoteUid is { } uid)
            return new(uid, null);
        var key = TenantSender.ListResourceKey(tenant.Id);
        if (!await db.Set<OutboxMessage>().AnyAsync(m => m.ResourceKey == key
            && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Processing), ct))
        {
            var now = clock.GetUtcNow();
            db.Add(new OutboxMessage { Kind = TenantSender.ListKind, ResourceKey = key, TenantId = tenant.Id, CreatedAt = now, NextAttemptAt = now });
        }
        return new(null, new OutboxResult.Defer($"waiting for the MailWizz list of tenant '{tenant.Slug}'", TimeSpan.FromSeconds(1)));
    }

    private OutboxResult? MissingSender(Tenant tenant) => tenant.Sender.Over(settings).Missing() is { Count: > 0 } missing
        ? new OutboxResult.Defer(
            $"waiting for sender settings of tenant '{tenant.Slug}': {string.Join(", ", missing)} (PATCH /api/v1/tenants/{tenant.Slug} or operator defaults in .env)",
            TimeSpan.FromMinutes(1))
        : null;

    /// <summary>Creates (or adopts, or updates) the tenant's list: run only by the list's own outbox messages.</summary>
    public async Task<Outcome> EnsureAsync(Tenant tenant, bool update, CancellationToken ct)
    {
        if (MissingSender(tenant) is { } waiting)
            return new(null, waiting);
        var sender = tenant.Sender.Over(settings);
        var definition = new ListDefinition(ListName(tenant.Slug), $"Email-Engine contacts of {tenant.Name}", sender.FromName!, sender.FromEmail!,
            sender.ReplyTo!, null, sender.CompanyName!, sender.CompanyAddress!, sender.CompanyCity!, sender.CompanyZip, sender.CompanyCountry!);

        var uid = tenant.ListSync.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindListByNameAsync(definition.Name, ct);
            if (!found.IsSuccess)
                return new(null, SyncHandlerErrors.From(found.Error!, "finding the tenant list"));
            uid = found.Value?.ListUid;
            update = update || uid is not null;
        }
        if (uid is null)
        {
            var created = await client.CreateListAsync(definition, ct);
            if (!created.IsSuccess)
                return new(null, SyncHandlerErrors.From(created.Error!, "creating the tenant list"));
            uid = created.Value!;
        }
        else if (update)
        {
            var updated = await client.UpdateListAsync(uid, definition, ct);
            if (updated.Error is { Kind: MailWizzErrorKind.NotFound })
            {
                tenant.ListSync.RemoteUid = null; // deleted in MailWizz by hand: recreate next time
                return new(null, new OutboxResult.Retry("the tenant list disappeared from MailWizz; recreating it"));
            }
            if (!updated.IsSuccess)
                return new(null, SyncHandlerErrors.From(updated.Error!, "updating the tenant list"));
        }
        tenant.ListSync.Status = SyncStatus.Synced;
        tenant.ListSync.RemoteUid = uid;
        tenant.ListSync.SyncedAt = clock.GetUtcNow();
        tenant.ListSync.LastError = null;
        return new(uid, null);
    }

    /// <summary>MailWizz only fills tags of list fields: create a text field for each custom tag a template uses.</summary>
    public async Task<OutboxResult?> EnsureFieldsAsync(string listUid, IEnumerable<string> tags, CancellationToken ct)
    {
        var wanted = MergeTags.CustomFields(tags);
        if (wanted.Count == 0)
            return null;
        var existing = await client.GetListFieldsAsync(listUid, ct);
        if (!existing.IsSuccess)
            return SyncHandlerErrors.From(existing.Error!, "reading list fields");
        foreach (var tag in wanted.Except(existing.Value!.Select(f => f.Tag)))
        {
            var label = string.Join(' ', tag.Split('_').Select(w => w[0] + w[1..].ToLowerInvariant()));
            var created = await client.CreateListFieldAsync(listUid, tag, label, ct);
            if (!created.IsSuccess)
                return SyncHandlerErrors.From(created.Error!, $"creating list field {tag}");
        }
        return null;
    }

    /// <summary>Custom tags used by all of a tenant's templates (fields are per list, shared by its campaigns).</summary>
    public static async Task<IReadOnlyList<string>> TenantTagsAsync(AppDbContext db, long tenantId, CancellationToken ct)
    {
        var texts = await db.Set<EmailTemplate>().AsNoTracking().Where(t => t.TenantId == tenantId)
            .Select(t => new { t.Subject, t.Html }).ToListAsync(ct);
        return MergeTags.Find(texts.SelectMany(t => new[] { t.Subject, t.Html }).ToArray());
    }
}

internal static class SyncHandlerErrors
{
    public static OutboxResult From(MailWizzError error, string doing) => error.Kind switch
    {
        MailWizzErrorKind.Unavailable => new OutboxResult.Retry($"{doing}: {error}", error.RetryAfter),
        MailWizzErrorKind.Auth => new OutboxResult.Retry($"{doing}: MailWizz rejected the API key (MAILWIZZ_API_KEY)", TimeSpan.FromMinutes(5)),
        _ => new OutboxResult.Fail($"{doing}: {error}"),
    };
}
