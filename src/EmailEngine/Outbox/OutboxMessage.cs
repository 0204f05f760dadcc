using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Outbox;

public enum OutboxStatus { Pending, Processing, Done, Failed }

/// <summary>
/// "Make the remote side match this resource": written in the same transaction as the change, so a committed
/// change always has its push queued. Handlers reconcile from current state, which makes a retried or repeated
/// message harmless; messages of one resource still run in order (lowest id first).
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }
    /// <summary>Which handler runs it, e.g. <c>mailwizz.template</c>.</summary>
    public required string Kind { get; set; }
    /// <summary>Serialization key: messages with the same key never run concurrently or out of order.</summary>
    public required string ResourceKey { get; set; }
    public long? TenantId { get; set; }
    /// <summary>Handler-specific JSON (e.g. the remote uid of a deleted resource).</summary>
    public string Payload { get; set; } = "{}";
    public OutboxStatus Status { get; set; } = OutboxStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>Lease: a claimed message whose worker died becomes claimable again after this time.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ProcessedAt { get; set; }
    /// <summary>
    /// Waiting by design for sending capacity (see Warmup/SendingCapacity): asleep until the admission pump wakes it,
    /// oldest first.
    /// </summary>
    public bool HeldForCapacity { get; set; }
    /// <summary>The recipient domain it waits for room in (its line in the queue).</summary>
    public string? CapacityDomain { get; set; }
    /// <summary>The PowerMTA pool whose room it took or waits for (its tenant's, see <see cref="Ips.IpOwnership.PoolOfTenantAsync"/>).</summary>
    public string? CapacityPool { get; set; }

    /// <summary>A pool's name: <c>pool-</c> and a tenant slug or a shared pool's name, with room to spare.</summary>
    public const int CapacityPoolMaxLength = 80;
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> message)
    {
        message.ToTable("outbox_messages");
        message.Property(m => m.Kind).HasMaxLength(64);
        message.Property(m => m.ResourceKey).HasMaxLength(128);
        message.Property(m => m.LastError).HasMaxLength(2000);
        message.Property(m => m.Status).HasMaxLength(16)
            .HasLowerCaseConversion();
        message.HasIndex(m => new { m.Status, m.NextAttemptAt });
        message.HasIndex(m => new { m.ResourceKey, m.Id });
        message.Property(m => m.CapacityDomain).HasMaxLength(255);
        message.Property(m => m.CapacityPool).HasMaxLength(OutboxMessage.CapacityPoolMaxLength);
        message.HasIndex(m => new { m.HeldForCapacity, m.Id });
    }
}

public static class OutboxQueries
{
    /// <summary>Pushes on their way to MailWizz: pending or being pushed, not held back for sending capacity (those wait by design).</summary>
    public static IQueryable<OutboxMessage> InFlight(this IQueryable<OutboxMessage> messages) =>
        messages.Where(m => (m.Status == OutboxStatus.Pending || m.Status == OutboxStatus.Processing) && !m.HeldForCapacity);
}
