using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Steps 5–7: subscribes a contact on the MailWizz list of its welcome autoresponder, so MailWizz fires it. The
/// subscriber is added only once the autoresponder exists in MailWizz (one added before would never get it). A repeat
/// finds the subscriber by email and updates it instead of creating a second one. Contacts arriving together are
/// subscribed together: the dispatcher hands over up to <see cref="GroupSize"/> due pushes of one tenant, and the first
/// subscriptions among them go in one bulk call per list (a lone contact is one call too, so it is not delayed).
/// </summary>
public sealed class SubscriberSyncHandler(MailWizzClient client, TenantListSync lists, SendingCapacity capacity, MailWizzOptions options,
    TimeProvider clock)
    : SyncHandler(options, clock), IOutboxHandler
{
    public override string Kind => ContactSync.Kind;

    /// <summary>One bulk call's worth (<c>MAILWIZZ_BULK_MAX</c>); a claim holds at most <see cref="OutboxOptions.BatchSize"/> messages.</summary>
    public int GroupSize => Options.BulkMax;

    public async Task<IReadOnlyList<OutboxResult>> HandleManyAsync(IReadOnlyList<OutboxMessage> messages, AppDbContext db, CancellationToken ct)
    {
        var results = new OutboxResult[messages.Count];
        var ids = messages.Select(IdFromKey).ToList();
        var tenantId = messages[0].TenantId;
        var contacts = await db.Set<Contact>().Include(c => c.Tenant).Include(c => c.WelcomeCampaign!).ThenInclude(c => c.Template)
            .Where(c => c.TenantId == tenantId && ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var firsts = new List<int>();
        for (var i = 0; i < messages.Count; i++)
        {
            if (MailWizzConfigured
                && contacts.GetValueOrDefault(ids[i]) is { Status: ContactStatus.Active, Sync.RemoteUid: null, WelcomeCampaign.Sync.RemoteUid: not null })
                firsts.Add(i);
            else
                results[i] = await HandleAsync(messages[i], db, ct); // updates, erasures, waits, MailWizz not configured: one by one
        }
        foreach (var group in firsts.GroupBy(i => contacts[ids[i]].WelcomeCampaignId))
            await SubscribeTogetherAsync(db, group.Select(i => (messages[i], contacts[ids[i]], i)).ToList(), results, ct);
        return results;
    }

    /// <summary>First subscriptions to one autoresponder's list, in one bulk call.</summary>
    private async Task SubscribeTogetherAsync(AppDbContext db, List<(OutboxMessage Message, Contact Contact, int Index)> pushes, OutboxResult[] results,
        CancellationToken ct)
    {
        var (tenant, campaign) = (pushes[0].Contact.Tenant, pushes[0].Contact.WelcomeCampaign!);
        var language = campaign.Template.Language;
        var list = await lists.RequireAsync(tenant, language, ct);
        var sender = lists.SenderOf(tenant);
        var rows = pushes.Select(p => SubscriberFields.For(p.Contact, sender)).ToList();
        var problem = list.Problem
            ?? await lists.EnsureFieldsAsync(tenant, language, list.ListUid!, rows.SelectMany(r => r.Keys).Distinct(), ct);
        if (problem is not null)
        {
            pushes.ForEach(p => results[p.Index] = problem);
            return;
        }
        // A new subscriber fires the welcome mail: each enters MailWizz only when the pool can send it today.
        var admitted = new List<int>();
        for (var k = 0; k < pushes.Count; k++)
        {
            if ((await capacity.AdmitOrQueueAsync(pushes[k].Message, [pushes[k].Contact.Email], ct))[0])
                admitted.Add(k);
            else
                results[pushes[k].Index] = await capacity.HeldBackAsync(pushes[k].Message, ct);
        }
        if (admitted.Count == 0)
            return;
        var emails = admitted.Select(k => pushes[k].Contact.Email).ToList();
        var outcome = await SubscriberBulk.SubscribeAsync(client, list.ListUid!, emails, admitted.Select(k => (IReadOnlyDictionary<string, string>)rows[k]).ToList(), ct);
        if (!outcome.IsSuccess)
        {
            await capacity.RefundAsync(pushes[admitted[0]].Message, emails, ct); // one autoresponder: one tenant, one pool
            var error = await lists.ErrorOnListAsync(tenant, language, list.ListUid!, outcome.Error!, "subscribing", ct);
            admitted.ForEach(k => results[pushes[k].Index] = error);
            return;
        }
        for (var a = 0; a < admitted.Count; a++)
        {
            var (message, contact, index) = pushes[admitted[a]];
            if (outcome.Value![a].SubscriberUid is { } uid)
            {
                Subscribed(db, contact, uid, list.ListUid!, message);
                results[index] = OutboxResult.Success;
            }
            else
            {
                await capacity.RefundAsync(message, [contact.Email], ct);
                results[index] = new OutboxResult.Fail($"subscribing: {outcome.Value[a].Error}");
            }
        }
    }

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var contact = await db.Set<Contact>().Include(c => c.Tenant).Include(c => c.WelcomeCampaign!).ThenInclude(c => c.Template)
            .SingleOrDefaultAsync(c => c.TenantId == message.TenantId && c.Id == IdFromKey(message), ct);
        if (contact is null)
            return await EraseAsync(message, db, ct);
        if (contact.Status != ContactStatus.Active || contact.WelcomeCampaign is not { } campaign)
            return OutboxResult.Success; // suppressed contacts never reach MailWizz
        if (campaign.Sync.RemoteUid is null)
            return WaitFor(campaign.Sync, $"autoresponder '{campaign.Name}'");
        var language = campaign.Template.Language;
        var list = await lists.RequireAsync(contact.Tenant, language, ct);
        if (list.Problem is not null)
            return list.Problem;

        var fields = SubscriberFields.For(contact, lists.SenderOf(contact.Tenant));
        if (await lists.EnsureFieldsAsync(contact.Tenant, language, list.ListUid!, fields.Keys, ct) is { } fieldProblem)
            return fieldProblem;
        var existing = await client.FindSubscriberAsync(list.ListUid!, contact.Email, ct);
        if (!existing.IsSuccess)
            return FromError(existing.Error!, "finding the subscriber");
        string uid;
        if (existing.Value is { } found)
        {
            var updated = await client.UpdateSubscriberAsync(list.ListUid!, found.SubscriberUid, fields, ct);
            if (!updated.IsSuccess)
                return await lists.ErrorOnListAsync(contact.Tenant, language, list.ListUid!, updated.Error!, "updating the subscriber", ct);
            uid = found.SubscriberUid;
        }
        else
        {
            // A new subscriber fires the welcome mail: it enters MailWizz only when the pool can send it today.
            if (!(await capacity.AdmitOrQueueAsync(message, [contact.Email], ct))[0])
                return await capacity.HeldBackAsync(message, ct);
            var created = await client.CreateSubscriberAsync(list.ListUid!, fields, ct);
            if (!created.IsSuccess)
            {
                await capacity.RefundAsync(message, [contact.Email], ct);
                return await lists.ErrorOnListAsync(contact.Tenant, language, list.ListUid!, created.Error!, "subscribing", ct);
            }
            uid = created.Value!;
        }
        Subscribed(db, contact, uid, list.ListUid!, message);
        return OutboxResult.Success;
    }

    private void Subscribed(AppDbContext db, Contact contact, string uid, string listUid, OutboxMessage message)
    {
        MarkSynced(contact.Sync, uid, message);
        db.Add(new ContactEvent { ContactId = contact.Id, At = Clock.GetUtcNow(), Type = "pushed", Detail = $"subscriber {uid} on list {listUid}" });
    }

    private async Task<OutboxResult> EraseAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var erased = JsonSerializer.Deserialize<ContactSync.ErasedPayload>(message.Payload);
        if (erased?.SubscriberUid is not { } subscriberUid || erased.ListLanguage is not { } language)
            return OutboxResult.Success; // never reached MailWizz
        var listUid = await db.Set<TenantList>().Where(l => l.TenantId == message.TenantId && l.Language == language)
            .Select(l => l.Sync.RemoteUid).SingleOrDefaultAsync(ct);
        if (listUid is null)
            return OutboxResult.Success;
        var deleted = await client.DeleteSubscriberAsync(listUid, subscriberUid, ct);
        return deleted.IsSuccess || deleted.Error!.Kind == MailWizzErrorKind.NotFound ? OutboxResult.Success : FromError(deleted.Error!, "deleting the subscriber");
    }

    protected override async Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        (await db.Set<Contact>().SingleOrDefaultAsync(c => c.TenantId == message.TenantId && c.Id == IdFromKey(message), ct))?.Sync;
}
