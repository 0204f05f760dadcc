using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Webhooks;

/// <summary>
/// A tenant's endpoint that receives deliverability events (bounces, complaints, suppressions) as signed JSON POSTs.
/// The signing secret is shown once at creation and kept only encrypted (<see cref="WebhookSecrets"/>).
/// </summary>
public sealed class Webhook
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant? Tenant { get; set; }
    public required string Url { get; set; }
    /// <summary>Subscribed event types, comma-separated in <see cref="WebhookEventTypes.All"/> order.</summary>
    public required string Events { get; set; }
    public bool Enabled { get; set; } = true;
    public string? Description { get; set; }
    public required byte[] EncryptedSecret { get; set; }
    /// <summary>First characters of the secret, so an operator can tell which one a receiver holds.</summary>
    public required string SecretPrefix { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> EventList => Events.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

public static class WebhookEventTypes
{
    public const string Bounce = "bounce", Complaint = "complaint", Suppression = "suppression", Ping = "ping";

    /// <summary>What a webhook may subscribe to (<see cref="Ping"/> is only sent on request).</summary>
    public static readonly IReadOnlyList<string> All = [Bounce, Complaint, Suppression];
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.ToTable("webhooks");
        webhook.Property(w => w.Url).HasMaxLength(2000);
        webhook.Property(w => w.Events).HasMaxLength(200);
        webhook.Property(w => w.Description).HasMaxLength(500);
        webhook.Property(w => w.SecretPrefix).HasMaxLength(16);
        webhook.Ignore(w => w.EventList);
        webhook.HasIndex(w => w.TenantId);
        webhook.HasOne(w => w.Tenant).WithMany().HasForeignKey(w => w.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
