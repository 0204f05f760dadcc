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
/// finds the subscriber by email and updates it instead of creating a second one.
/// </summary>
public sealed class SubscriberSyncHandler(MailWizzClient client, TenantListSync lists, SendingCapacity capacity, MailWizzOptions options,
    TimeProvider clock)
    : SyncHandler(options, clock)
{
    public override string Kind => ContactSync.Kind;

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
                return SendingCapacity.HeldBack(await capacity.ViewAsync(ct), message.CapacityDomain);
            var created = await client.CreateSubscriberAsync(list.ListUid!, fields, ct);
            if (!created.IsSuccess)
            {
                await capacity.RefundAsync([contact.Email], ct);
                return await lists.ErrorOnListAsync(contact.Tenant, language, list.ListUid!, created.Error!, "subscribing", ct);
            }
            uid = created.Value!;
        }
        MarkSynced(contact.Sync, uid, message);
        db.Add(new ContactEvent { ContactId = contact.Id, At = Clock.GetUtcNow(), Type = "pushed", Detail = $"subscriber {uid} on list {list.ListUid}" });
        return OutboxResult.Success;
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
