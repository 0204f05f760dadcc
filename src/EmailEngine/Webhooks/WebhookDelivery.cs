using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Webhooks;

public enum WebhookDeliveryStatus { Pending, Delivered, Failed }

/// <summary>
/// One event for one webhook: the exact JSON body that is (re)sent, and what happened on each attempt. Written in
/// the transaction that produced the event, with its outbox message, so an event is never lost nor queued twice.
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>Sent as <c>X-EE-Delivery</c>; the body's <c>id</c> is the event id, the same for every webhook.</summary>
    public Guid Id { get; set; }
    public Guid EventId { get; set; }
    public long WebhookId { get; set; }
    public long TenantId { get; set; }
    public required string EventType { get; set; }
    public required string Body { get; set; }
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>HTTP status of the last attempt; null when no response came (refused, timeout, DNS).</summary>
    public int? LastResponseStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("webhook_deliveries");
        delivery.Property(d => d.Id).ValueGeneratedNever();
        delivery.Property(d => d.EventType).HasMaxLength(32);
        delivery.Property(d => d.LastError).HasMaxLength(2000);
        delivery.Property(d => d.Status).HasMaxLength(16)
            .HasLowerCaseConversion();
        delivery.HasIndex(d => new { d.WebhookId, d.CreatedAt });
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}
