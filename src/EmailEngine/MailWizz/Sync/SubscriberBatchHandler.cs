using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Contacts.Import;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using EmailEngine.Warmup;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Pushes an import's contacts of one language with MailWizz's bulk endpoint: one call of up to 10,000 (MAILWIZZ_BULK_MAX) per run,
/// paced by the client's rate limit, then defers itself for the next batch. Progress lives on the contacts
/// (<c>sync_status</c>), so a crash resumes where it stopped; the message's payload keeps a cursor (autoresponder,
/// last contact id) saved with them, so each batch reads the tenant's contacts from where the last one ended (on
/// PostgreSQL they are found through the primary key, tenant then id). Per-item errors are recorded on each contact;
/// an address already on the list is looked up and updated instead (<see cref="SubscriberBulk"/>).
/// </summary>
public sealed class SubscriberBatchHandler(MailWizzClient client, TenantListSync lists, SendingCapacity capacity, MailWizzOptions options,
    TimeProvider clock)
    : SyncHandler(options, clock)
{
    public override string Kind => SubscriberBatches.Kind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var payload = JsonSerializer.Deserialize<SubscriberBatches.Payload>(message.Payload)!;
        var tenant = await db.Set<Tenant>().SingleAsync(t => t.Id == message.TenantId, ct);
        var pending = db.Set<Contact>().Where(c => c.TenantId == tenant.Id && c.ImportJobId == payload.JobId && c.Status == ContactStatus.Active
            && c.Sync.Status == SyncStatus.Pending && c.WelcomeCampaignId != null);
        // One bulk call goes to one list: push one autoresponder's contacts, in id order, then the next one's.
        if (payload.CampaignId is null)
        {
            var next = await pending.OrderBy(c => c.Id).Select(c => c.WelcomeCampaignId).FirstOrDefaultAsync(ct);
            if (next is null)
                return OutboxResult.Success;
            payload = new SubscriberBatches.Payload(payload.JobId, next);
        }
        var batch = await pending.Where(c => c.WelcomeCampaignId == payload.CampaignId && c.Id > payload.AfterId).Include(c => c.WelcomeCampaign)
            .OrderBy(c => c.Id).Take(Options.BulkMax).ToListAsync(ct);
        if (batch.Count == 0)
        {
            // This autoresponder's contacts are all pushed: the next run looks for another's.
            message.Payload = JsonSerializer.Serialize(payload with { CampaignId = null, AfterId = 0 });
            return new OutboxResult.Defer("next autoresponder", TimeSpan.Zero);
        }
        if (batch[0].WelcomeCampaign is { Sync.RemoteUid: null } campaign)
            return WaitFor(campaign.Sync, $"autoresponder '{campaign.Name}'");
        var language = await db.Set<Campaigns.Campaign>().Where(c => c.Id == batch[0].WelcomeCampaignId).Select(c => c.Template.Language).SingleAsync(ct);
        var list = await lists.RequireAsync(tenant, language, ct);
        if (list.Problem is not null)
            return list.Problem;

        var sender = lists.SenderOf(tenant);
        var rows = batch.Select(c => SubscriberFields.For(c, sender)).ToList();
        if (await lists.EnsureFieldsAsync(tenant, language, list.ListUid!, rows.SelectMany(r => r.Keys).Distinct(), ct) is { } fieldProblem)
            return fieldProblem;
        // Each new subscriber fires a welcome mail: only as many enter MailWizz as the pool can send today.
        var admitted = await capacity.AdmitOrQueueAsync(message, batch.Select(c => c.Email).ToList(), ct);
        // The ones left out are read again from the first of them once the push is woken (the others are synced by then).
        var resumeAfter = Array.IndexOf(admitted, false) is var firstLeftOut and >= 0 ? batch[firstLeftOut].Id - 1 : (long?)null;
        (batch, rows) = (batch.Where((_, i) => admitted[i]).ToList(), rows.Where((_, i) => admitted[i]).ToList());
        if (batch.Count == 0)
            return await capacity.HeldBackAsync(message, ct);
        var result = await SubscriberBulk.SubscribeAsync(client, list.ListUid!, batch.Select(c => c.Email).ToList(),
            rows.Select(r => (IReadOnlyDictionary<string, string>)r).ToList(), ct);
        if (!result.IsSuccess)
        {
            await capacity.RefundAsync(message, batch.Select(c => c.Email), ct);
            return await lists.ErrorOnListAsync(tenant, language, list.ListUid!, result.Error!, "bulk subscribing", ct);
        }
        for (var i = 0; i < batch.Count; i++)
        {
            if (result.Value![i] is { SubscriberUid: { } uid })
                MarkSynced(batch[i].Sync, uid, message);
            else
                Fail(batch[i], result.Value[i].Error!);
        }
        // Come back right away for the next batch, without counting an attempt; the run after this autoresponder's
        // last batch moves on to the next one, and the run after the last one completes.
        message.Payload = JsonSerializer.Serialize(payload with { AfterId = resumeAfter ?? batch[^1].Id });
        return message.HeldForCapacity ? await capacity.HeldBackAsync(message, ct)
            : new OutboxResult.Defer("next batch", TimeSpan.Zero);
    }

    private static void Fail(Contact contact, string error)
    {
        contact.Sync.Status = SyncStatus.Failed;
        contact.Sync.LastError = error.Length > 2000 ? error[..2000] : error;
    }

    protected override Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        Task.FromResult<SyncState?>(null);
}
