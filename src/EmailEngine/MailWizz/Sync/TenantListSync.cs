using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// A tenant's MailWizz lists, one per language (<see cref="TenantList"/>), created on demand from its sender
/// settings. Only a list's own outbox messages create or update it (they run one at a time), so concurrent template,
/// campaign and subscriber pushes never race to create two lists; they defer until it exists. Lookup by name before
/// creating makes a repeat after a crash adopt the list instead of duplicating it.
/// </summary>
public sealed class TenantListSync(MailWizzClient client, AppDbContext db, EngineSettings settings, TimeProvider clock)
{
    public sealed record Outcome(string? ListUid, OutboxResult? Problem);

    /// <summary>For pushes that need the list: its uid, or a deferral that makes sure the list's own push is queued.</summary>
    public async Task<Outcome> RequireAsync(Tenant tenant, string language, CancellationToken ct)
    {
        if (MissingSender(tenant) is { } waiting)
            return new(null, waiting);
        var list = await FindOrAddAsync(tenant, language, ct);
        if (list.Sync.RemoteUid is { } uid)
            return new(uid, null);
        var key = TenantSender.ListResourceKey(tenant.Id, language);
        if (!await db.Set<OutboxMessage>().AnyAsync(m => m.ResourceKey == key
            && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Processing), ct))
        {
            var now = clock.GetUtcNow();
            db.Add(new OutboxMessage
            {
                Kind = TenantSender.ListKind, ResourceKey = key, TenantId = tenant.Id, CreatedAt = now, NextAttemptAt = now,
                Payload = JsonSerializer.Serialize(new TenantSender.ListPayload(language)),
            });
        }
        return new(null, new OutboxResult.Defer($"waiting for the MailWizz list of tenant '{tenant.Slug}' ({language})", TimeSpan.FromSeconds(1)));
    }

    /// <summary>
    /// The list's row, inserted when missing. Template, campaign, subscriber and list pushes of one tenant and language
    /// run side by side and each may be the first to need it: the insert ignores a row another push just added
    /// (<c>ON CONFLICT DO NOTHING</c>, same SQL on PostgreSQL and SQLite) and is committed at once, so no push fails on
    /// the unique index when it saves.
    /// </summary>
    public async Task<TenantList> FindOrAddAsync(Tenant tenant, string language, CancellationToken ct)
    {
        if (await FindAsync(tenant, language, ct) is { } list)
            return list;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO tenant_lists (tenant_id, language, sync_status, sync_attempts)
            VALUES ({tenant.Id}, {language}, 'pending', 0)
            ON CONFLICT (tenant_id, language) DO NOTHING
            """, ct);
        return (await FindAsync(tenant, language, ct))!;
    }

    private Task<TenantList?> FindAsync(Tenant tenant, string language, CancellationToken ct) =>
        db.Set<TenantList>().SingleOrDefaultAsync(l => l.TenantId == tenant.Id && l.Language == language, ct);

    /// <summary>The sender and company details of the tenant's lists: its own settings over the operator defaults.</summary>
    public SenderSettings SenderOf(Tenant tenant) => tenant.Sender.Over(settings);

    private OutboxResult? MissingSender(Tenant tenant) => SenderOf(tenant).Missing() is { Count: > 0 } missing
        ? new OutboxResult.Defer(
            $"waiting for sender settings of tenant '{tenant.Slug}': {string.Join(", ", missing)} (PATCH /api/v1/tenants/{tenant.Slug} or operator defaults in .env)",
            TimeSpan.FromMinutes(1))
        : null;

    /// <summary>Creates (or adopts, or updates) one list: run only by the list's own outbox messages.</summary>
    public async Task<Outcome> EnsureAsync(Tenant tenant, TenantList list, CancellationToken ct)
    {
        if (MissingSender(tenant) is { } waiting)
            return new(null, waiting);
        var sender = SenderOf(tenant);
        var definition = new ListDefinition(TenantList.RemoteName(tenant.Slug, list.Language), $"Email-Engine contacts of {tenant.Name} ({list.Language})",
            sender.FromName!, sender.FromEmail!, sender.ReplyTo!, null, sender.CompanyName!, sender.CompanyAddress!, sender.CompanyCity!,
            sender.CompanyZip, sender.CompanyCountry!);

        var uid = list.Sync.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindListByNameAsync(definition.Name, ct);
            if (!found.IsSuccess)
                return new(null, SyncHandlerErrors.From(found.Error!, "finding the tenant list"));
            uid = found.Value?.ListUid;
        }
        if (uid is null)
        {
            var created = await client.CreateListAsync(definition, ct);
            if (!created.IsSuccess)
                return new(null, SyncHandlerErrors.From(created.Error!, "creating the tenant list"));
            uid = created.Value!;
        }
        else
        {
            var updated = await client.UpdateListAsync(uid, definition, ct);
            if (updated.Error is { Kind: MailWizzErrorKind.NotFound })
            {
                list.Sync.RemoteUid = null; // deleted in MailWizz by hand: recreate on the next attempt
                return new(null, new OutboxResult.Retry("the tenant list disappeared from MailWizz; recreating it", TimeSpan.Zero));
            }
            if (!updated.IsSuccess)
                return new(null, SyncHandlerErrors.From(updated.Error!, "updating the tenant list"));
        }
        list.Sync.Status = SyncStatus.Synced;
        list.Sync.RemoteUid = uid;
        list.Sync.SyncedAt = clock.GetUtcNow();
        list.Sync.LastError = null;
        return new(uid, null);
    }

    private async Task<bool> FieldExistsAsync(string listUid, string tag, CancellationToken ct) =>
        await client.GetListFieldsAsync(listUid, ct) is { IsSuccess: true } fields && fields.Value!.Any(f => f.Tag == tag);

    /// <summary>MailWizz only fills tags of list fields: create a text field for each custom tag that is missing.</summary>
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
            var label = string.Join(' ', tag.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => w[0] + w[1..].ToLowerInvariant()));
            var created = await client.CreateListFieldAsync(listUid, tag, label, ct);
            // A concurrent push may have created it first (MailWizz: "tag already taken"), or the create took effect
            // behind an error: what matters is that the field exists now.
            if (!created.IsSuccess && !await FieldExistsAsync(listUid, tag, ct))
                return SyncHandlerErrors.From(created.Error!, $"creating list field {tag}");
        }
        return null;
    }
}

internal static class SyncHandlerErrors
{
    public static OutboxResult From(MailWizzError error, string doing) => error.Kind switch
    {
        // The client held the request back (circuit open, own rate limit): MailWizz never saw it, so wait without
        // using up an attempt; only requests that reached (or tried to reach) MailWizz count.
        MailWizzErrorKind.Unavailable when error.HeldBack => new OutboxResult.Defer($"{doing}: {error}", error.RetryAfter ?? TimeSpan.FromSeconds(5)),
        MailWizzErrorKind.Unavailable => new OutboxResult.Retry($"{doing}: {error}", error.RetryAfter),
        MailWizzErrorKind.Auth => new OutboxResult.Retry($"{doing}: MailWizz rejected the API key (MAILWIZZ_API_KEY)", TimeSpan.FromMinutes(5)),
        _ => new OutboxResult.Fail($"{doing}: {error}"),
    };
}
