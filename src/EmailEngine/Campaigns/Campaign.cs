using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Campaigns;

public enum CampaignType { Autoresponder, Regular }

/// <summary>
/// A tenant's campaign on the tenant's MailWizz list: an autoresponder fired by subscription (MailWizz
/// <c>AFTER-SUBSCRIBE</c>) after an optional delay, or a regular one-off send at <see cref="SendAt"/>.
/// </summary>
public sealed class Campaign
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public Tenant Tenant { get; set; } = null!;
    public required string Name { get; set; }
    public long TemplateId { get; set; }
    public EmailTemplate Template { get; set; } = null!;
    public CampaignType Type { get; set; }
    public int DelayValue { get; set; }
    public string DelayUnit { get; set; } = "minute";
    public DateTimeOffset? SendAt { get; set; }
    /// <summary>Overrides of the template subject and the tenant's sender settings; null = use those.</summary>
    public string? Subject { get; set; }
    public string? FromName { get; set; }
    public string? FromEmail { get; set; }
    public string? ReplyTo { get; set; }
    public bool Paused { get; set; }
    /// <summary>
    /// The paused state last confirmed in MailWizz: <see cref="Paused"/>, or paused by the <see cref="SendingHold"/>
    /// while no IP may send. A difference means MailWizz still has to be aligned.
    /// </summary>
    public bool MailWizzPaused { get; set; }
    /// <summary>
    /// The MailWizz delivery servers (ids, comma-separated) last given to MailWizz as the only ones this campaign may use:
    /// those of its tenant's pool. Null when none was known. A difference means MailWizz still has to be aligned.
    /// </summary>
    public string? MailWizzServers { get; set; }
    /// <summary>The autoresponder the contact workflow relies on for new subscribers of this language.</summary>
    public bool IsWelcome { get; set; }
    public SyncState Sync { get; set; } = new();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> campaign)
    {
        campaign.ToTable("campaigns");
        campaign.HasIndex(c => new { c.TenantId, c.Name }).IsUnique();
        campaign.Property(c => c.Name).HasMaxLength(190);
        campaign.Property(c => c.Type).HasMaxLength(16)
            .HasLowerCaseConversion();
        campaign.Property(c => c.DelayUnit).HasMaxLength(8);
        campaign.Property(c => c.Subject).HasMaxLength(255);
        campaign.Property(c => c.FromName).HasMaxLength(100);
        campaign.Property(c => c.FromEmail).HasMaxLength(100);
        campaign.Property(c => c.ReplyTo).HasMaxLength(100);
        campaign.Property(c => c.MailWizzPaused).HasColumnName("mailwizz_paused");
        campaign.Property(c => c.MailWizzServers).HasColumnName("mailwizz_servers").HasMaxLength(2000);
        campaign.HasOne(c => c.Tenant).WithMany().HasForeignKey(c => c.TenantId).OnDelete(DeleteBehavior.Restrict);
        campaign.HasOne(c => c.Template).WithMany().HasForeignKey(c => c.TemplateId).OnDelete(DeleteBehavior.Restrict);
        campaign.OwnsSyncState(c => c.Sync);
    }
}
