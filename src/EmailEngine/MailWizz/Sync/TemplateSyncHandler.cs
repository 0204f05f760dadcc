using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.Sync;

/// <summary>
/// Makes MailWizz's copy of a template match ours: adopt by name or create, then update; remove after a delete.
/// Also creates the list fields its custom tags need on the tenant's list.
/// </summary>
public sealed class TemplateSyncHandler(MailWizzClient client, TenantListSync lists, MailWizzOptions options, TimeProvider clock)
    : SyncHandler(options, clock)
{
    public override string Kind => TemplateSync.Kind;

    protected override async Task<OutboxResult> PushAsync(OutboxMessage message, AppDbContext db, CancellationToken ct)
    {
        var template = await db.Set<EmailTemplate>().Include(t => t.Tenant).SingleOrDefaultAsync(t => t.Id == IdFromKey(message), ct);
        if (template is null)
            return await DeleteAsync(JsonSerializer.Deserialize<TemplateSync.DeletedPayload>(message.Payload), ct);

        var list = await lists.RequireAsync(template.Tenant, template.Language, ct);
        if (list.Problem is not null)
            return list.Problem;
        if (await lists.EnsureFieldsAsync(template.Tenant, template.Language, list.ListUid!, MergeTags.Find(template.Subject, template.Html), ct) is { } fieldProblem)
            return fieldProblem;

        var remoteName = EmailTemplate.RemoteName(template.Tenant.Slug, template.Name);
        var uid = template.Sync.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindTemplateByNameAsync(remoteName, ct);
            if (!found.IsSuccess)
                return FromError(found.Error!, "finding the template");
            uid = found.Value?.TemplateUid;
        }
        if (uid is null)
        {
            var created = await client.CreateTemplateAsync(remoteName, template.Html, ct);
            if (!created.IsSuccess)
                return FromError(created.Error!, "creating the template");
            uid = created.Value!;
        }
        else
        {
            var updated = await client.UpdateTemplateAsync(uid, remoteName, template.Html, ct);
            if (updated.Error is { Kind: MailWizzErrorKind.NotFound })
            {
                template.Sync.RemoteUid = null;
                return new OutboxResult.Retry("the template disappeared from MailWizz; recreating it", TimeSpan.Zero);
            }
            if (!updated.IsSuccess)
                return FromError(updated.Error!, "updating the template");
        }
        MarkSynced(template.Sync, uid, message);
        return OutboxResult.Success;
    }

    private async Task<OutboxResult> DeleteAsync(TemplateSync.DeletedPayload? deleted, CancellationToken ct)
    {
        if (deleted is null)
            return OutboxResult.Success;
        var uid = deleted.RemoteUid;
        if (uid is null)
        {
            var found = await client.FindTemplateByNameAsync(deleted.RemoteName, ct);
            if (!found.IsSuccess)
                return FromError(found.Error!, "finding the deleted template");
            uid = found.Value?.TemplateUid;
        }
        if (uid is null)
            return OutboxResult.Success;
        var removed = await client.DeleteTemplateAsync(uid, ct);
        return removed.IsSuccess || removed.Error!.Kind == MailWizzErrorKind.NotFound ? OutboxResult.Success : FromError(removed.Error!, "deleting the template");
    }

    protected override async Task<SyncState?> FindSyncStateAsync(OutboxMessage message, AppDbContext db, CancellationToken ct) =>
        (await db.Set<EmailTemplate>().SingleOrDefaultAsync(t => t.Id == IdFromKey(message), ct))?.Sync;
}
