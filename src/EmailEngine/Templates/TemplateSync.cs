using System.Text.Json;
using EmailEngine.Outbox;

namespace EmailEngine.Templates;

/// <summary>Outbox vocabulary for templates: one kind, keyed by template id; a delete carries what is left to remove.</summary>
public static class TemplateSync
{
    public const string Kind = "mailwizz.template";

    public static string ResourceKey(long id) => $"template:{id}";

    public sealed record DeletedPayload(string? RemoteUid, string RemoteName);

    public static Task EnqueueAsync(OutboxWriter outbox, EmailTemplate template, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, ResourceKey(template.Id), template.TenantId, "{}", ct);

    public static Task EnqueueDeleteAsync(OutboxWriter outbox, EmailTemplate template, string tenantSlug, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, ResourceKey(template.Id), template.TenantId,
            JsonSerializer.Serialize(new DeletedPayload(template.Sync.RemoteUid, EmailTemplate.RemoteName(tenantSlug, template.Name))), ct);
}
