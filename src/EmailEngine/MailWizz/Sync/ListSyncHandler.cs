using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>Creates or updates a tenant's MailWizz list after its sender settings change.</summary>
public sealed class ListSyncHandler(TenantListSync lists, MailWizzOptions options, TimeProvider clock) : SyncHandler(options, clock)
{
    public override string Kind => TenantSender.ListKind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Id == message.TenantId, ct);
        if (tenant is null)
            return OutboxResult.Success;
        var outcome = await lists.EnsureAsync(tenant, update: true, ct);
        return outcome.Problem ?? OutboxResult.Success;
    }

    protected override async Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        (await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Id == message.TenantId, ct))?.ListSync;
}
