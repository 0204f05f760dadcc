using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Suppressions;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>A suppression reaches MailWizz: global ones unsubscribe the address from every list, tenant ones from the tenant's list.</summary>
public sealed class UnsubscribeHandler(MailWizzClient client, MailWizzOptions options, TimeProvider clock) : SyncHandler(options, clock)
{
    public override string Kind => SuppressionService.UnsubscribeKind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var email = JsonSerializer.Deserialize<SuppressionService.UnsubscribePayload>(message.Payload)!.Email;
        if (message.TenantId is null)
        {
            var all = await client.UnsubscribeFromAllListsAsync(email, ct);
            return all.IsSuccess ? OutboxResult.Success : FromError(all.Error!, "unsubscribing from all lists");
        }
        // Every list the tenant has in MailWizz (one per language); none yet means nothing to unsubscribe from.
        var listUids = await db.Set<TenantList>().Where(l => l.TenantId == message.TenantId && l.Sync.RemoteUid != null)
            .Select(l => l.Sync.RemoteUid!).ToListAsync(ct);
        foreach (var listUid in listUids)
        {
            var found = await client.FindSubscriberAsync(listUid, email, ct);
            if (!found.IsSuccess)
                return FromError(found.Error!, "finding the subscriber");
            if (found.Value is null)
                continue;
            var done = await client.UnsubscribeAsync(listUid, found.Value.SubscriberUid, ct);
            if (!done.IsSuccess && done.Error!.Kind != MailWizzErrorKind.NotFound)
                return FromError(done.Error!, "unsubscribing");
        }
        return OutboxResult.Success;
    }

    protected override Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        Task.FromResult<SyncState?>(null);
}
