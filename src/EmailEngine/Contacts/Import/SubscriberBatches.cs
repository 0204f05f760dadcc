using System.Text.Json;
using EmailEngine.Outbox;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// Outbox vocabulary for pushing an import's subscribers to MailWizz, one bulk call per run (at most
/// <c>MAILWIZZ_BULK_MAX</c>, by default MailWizz's limit of 10,000).
/// </summary>
public static class SubscriberBatches
{
    public const string Kind = "mailwizz.subscriber-batch";

    /// <summary>
    /// The job, and where its pushing stands: the autoresponder (so the MailWizz list) being pushed, and the last
    /// contact id pushed for it. The cursor keeps each batch's scan of the tenant's contacts to what is left.
    /// </summary>
    public sealed record Payload(long JobId, long? CampaignId = null, long AfterId = 0);

    public static Task EnqueueAsync(OutboxWriter outbox, long tenantId, long jobId, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, $"import:{jobId}", tenantId, JsonSerializer.Serialize(new Payload(jobId)), ct);
}
