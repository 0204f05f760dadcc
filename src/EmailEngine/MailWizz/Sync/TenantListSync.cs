using System.Text.Json;
using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
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
public sealed class TenantListSync(MailWizzClient client, AppDbContext db, OutboxWriter outbox, EngineSettings settings, TimeProvider clock,
    KnownListFields knownFields, ILogger<TenantListSync> logger)
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
        await QueueListPushAsync(tenant.Id, language, ct);
        return new(null, new OutboxResult.Defer($"waiting for the MailWizz list of tenant '{tenant.Slug}' ({language})", TimeSpan.FromSeconds(1)));
    }

    private async Task QueueListPushAsync(long tenantId, string language, CancellationToken ct)
    {
        var key = TenantSender.ListResourceKey(tenantId, language);
        if (await db.Set<OutboxMessage>().AnyAsync(m => m.ResourceKey == key
            && (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Processing), ct))
            return;
        var now = clock.GetUtcNow();
        db.Add(new OutboxMessage
        {
            Kind = TenantSender.ListKind, ResourceKey = key, TenantId = tenantId, CreatedAt = now, NextAttemptAt = now,
            Payload = JsonSerializer.Serialize(new TenantSender.ListPayload(language)),
        });
    }

    /// <summary>
    /// What a push that used a tenant list makes of a MailWizz error. A 404 (or, for a campaign, a 422 "Provided list does
    /// not exist") may be the list itself gone: MailWizz restored from an older backup, or the list deleted by hand. When
    /// MailWizz confirms it, the list and the campaigns that lived on it are queued to be recreated and the push waits for
    /// them; any other error maps as usual.
    /// </summary>
    public async Task<OutboxResult> ErrorOnListAsync(Tenant tenant, string language, string listUid, MailWizzError error, string doing,
        CancellationToken ct)
    {
        if (error.Kind is not (MailWizzErrorKind.NotFound or MailWizzErrorKind.Validation)
            || await client.ListExistsAsync(listUid, ct) is not { IsSuccess: true, Value: false })
            return SyncHandlerErrors.From(error, doing);
        if (await FindAsync(tenant, language, ct) is { } list && list.Sync.RemoteUid == listUid)
            await RecreateGoneAsync(tenant, list, ct);
        return new OutboxResult.Defer($"{doing}: the MailWizz list {TenantList.RemoteName(tenant.Slug, language)} disappeared; it is being recreated",
            TimeSpan.FromSeconds(1));
    }

    internal static string GoneNote(DateTimeOffset now) => $"disappeared from MailWizz (noticed {ApiJson.Timestamps.Format(now)}); being recreated";

    /// <summary>
    /// A list MailWizz no longer has: forget its uid and queue its push (lookup by name, then create), and do the same for
    /// the campaigns that lived on it (MailWizz removes a list's campaigns with it; a push finds a survivor by name and
    /// moves it to the new list). Pushes of subscribers wait until their autoresponder is back, so none is added to a list
    /// without it. Subscribers that were on the lost list are not added again: that would send their welcome twice.
    /// </summary>
    public async Task RecreateGoneAsync(Tenant tenant, TenantList list, CancellationToken ct)
    {
        var note = GoneNote(clock.GetUtcNow());
        list.Sync.MarkGone(note);
        await QueueListPushAsync(list.TenantId, list.Language, ct);
        var campaigns = await db.Set<Campaign>().Where(c => c.TenantId == list.TenantId && c.Template.Language == list.Language && c.Sync.RemoteUid != null)
            .ToListAsync(ct);
        foreach (var campaign in campaigns)
        {
            campaign.Sync.MarkGone($"its MailWizz list {note}");
            await CampaignSync.EnqueueAsync(outbox, campaign, ct);
        }
        logger.LogWarning("MailWizz list of tenant {Tenant} ({Language}) disappeared; recreating it and {Campaigns} campaign(s) on it",
            tenant.Slug, list.Language, campaigns.Count);
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
                await RecreateGoneAsync(tenant, list, ct);
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

    /// <summary>MailWizz only fills tags of list fields: create a text field for each custom tag that is missing.</summary>
    public async Task<OutboxResult?> EnsureFieldsAsync(Tenant tenant, string language, string listUid, IEnumerable<string> tags, CancellationToken ct)
    {
        var wanted = MergeTags.CustomFields(tags);
        if (wanted.Count == 0 || knownFields.HasAll(listUid, wanted))
            return null;
        var existing = await client.GetListFieldsAsync(listUid, ct);
        if (!existing.IsSuccess)
            return await ErrorOnListAsync(tenant, language, listUid, existing.Error!, "reading list fields", ct);
        foreach (var tag in wanted.Except(existing.Value!.Select(f => f.Tag)))
        {
            var label = string.Join(' ', tag.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => w[0] + w[1..].ToLowerInvariant()));
            if (await CreateFieldAsync(tenant, language, listUid, tag, label, ct) is { } failed)
                return failed;
        }
        knownFields.Add(listUid, wanted);
        return null;
    }

    /// <summary>
    /// Creates one list field. A concurrent push may have created it first (MailWizz: "tag already taken"), or the create
    /// took effect behind an error: what matters is that the field exists now, so a failed create is read back. A read
    /// back that fails too says nothing about the field: the push is retried (or the list recreated, if it is gone), never
    /// failed for good on the create's error.
    /// </summary>
    internal async Task<OutboxResult?> CreateFieldAsync(Tenant tenant, string language, string listUid, string tag, string label, CancellationToken ct)
    {
        var created = await client.CreateListFieldAsync(listUid, tag, label, ct);
        if (created.IsSuccess)
            return null;
        var fields = await client.GetListFieldsAsync(listUid, ct);
        if (!fields.IsSuccess)
            return await ErrorOnListAsync(tenant, language, listUid, fields.Error!, $"reading list fields back after creating {tag} failed ({created.Error})", ct);
        return fields.Value!.Any(f => f.Tag == tag) ? null : SyncHandlerErrors.From(created.Error!, $"creating list field {tag}");
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

/// <summary>
/// The custom fields each MailWizz list is known to have (by list uid), so a push does not read a list's fields again
/// when they were ensured before: one call saved per push. A recreated list has a new uid, so it is read afresh.
/// </summary>
public sealed class KnownListFields
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentDictionary<string, bool>> _byList = new();

    public bool HasAll(string listUid, IEnumerable<string> tags) => _byList.TryGetValue(listUid, out var known) && tags.All(known.ContainsKey);

    public void Add(string listUid, IEnumerable<string> tags)
    {
        var known = _byList.GetOrAdd(listUid, _ => new());
        foreach (var tag in tags)
            known[tag] = true;
    }
}
