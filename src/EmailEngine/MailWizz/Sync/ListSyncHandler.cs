using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>Creates or updates one of a tenant's MailWizz lists (first use, or after its sender settings change).</summary>
public sealed class ListSyncHandler(TenantListSync lists, MailWizzOptions options, TimeProvider clock) : SyncHandler(options, clock)
{
    public override string Kind => TenantSender.ListKind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var tenant = await db.Set<Tenant>().SingleOrDefaultAsync(t => t.Id == message.TenantId, ct);
        if (tenant is null)
            return OutboxResult.Success;
        var list = await lists.FindOrAddAsync(tenant, Language(message), ct);
        return (await lists.EnsureAsync(tenant, list, ct)).Problem ?? OutboxResult.Success;
    }

    private static string Language(OutboxMessage message) => JsonSerializer.Deserialize<TenantSender.ListPayload>(message.Payload)!.Language;

    protected override async Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var language = Language(message);
        return (await db.Set<TenantList>().SingleOrDefaultAsync(l => l.TenantId == message.TenantId && l.Language == language, ct))?.Sync;
    }
}
