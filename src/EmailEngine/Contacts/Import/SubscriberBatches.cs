using System.Text.Json;
using EmailEngine.Outbox;

namespace EmailEngine.Contacts.Import;

/// <summary>Outbox vocabulary for pushing an import's subscribers to MailWizz, one bulk call (≤ 10,000) per run.</summary>
public static class SubscriberBatches
{
    public const string Kind = "mailwizz.subscriber-batch";
    public const int BatchSize = 10_000;

    public sealed record Payload(long JobId);

    public static Task EnqueueAsync(OutboxWriter outbox, long tenantId, long jobId, CancellationToken ct) =>
        outbox.EnqueueAsync(Kind, $"import:{jobId}", tenantId, JsonSerializer.Serialize(new Payload(jobId)), ct);
}
