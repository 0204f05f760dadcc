using System.Text.Json;
using EmailEngine.Outbox;

namespace EmailEngine.Contacts;

/// <summary>Outbox vocabulary for contacts: subscribe (or update) on the welcome list; erase removes the subscriber.</summary>
public static class ContactSync
{
    public const string Kind = "mailwizz.subscriber";

    public const string ResourceKeyPrefix = "contact:";

    public static string ResourceKey(long contactId) => $"{ResourceKeyPrefix}{contactId}";

    /// <summary>An erased contact's row is gone: the message carries only where the subscriber was.</summary>
    public sealed record ErasedPayload(string? ListLanguage, string? SubscriberUid);

    public static Task EnqueueAsync(OutboxWriter outbox, IReadOnlyList<Contact> contacts, CancellationToken ct) =>
        contacts.Count == 0 ? Task.CompletedTask : outbox.EnqueueManyAsync(Kind, contacts.Select(Item).ToList(), ct);

    /// <summary>New contacts have no older push to supersede.</summary>
    public static void EnqueueNew(OutboxWriter outbox, IReadOnlyList<Contact> contacts) => outbox.EnqueueUnique(Kind, contacts.Select(Item).ToList());

    private static OutboxItem Item(Contact contact) => new(ResourceKey(contact.Id), contact.TenantId);

    public static Task EnqueueEraseAsync(OutboxWriter outbox, Contact contact, string? listLanguage, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, ResourceKey(contact.Id), contact.TenantId,
            JsonSerializer.Serialize(new ErasedPayload(listLanguage, contact.Sync.RemoteUid)), ct);
}
