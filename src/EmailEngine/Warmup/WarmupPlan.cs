using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Warmup;

/// <summary>
/// A ramp of daily quotas for one IP, indexed by sending day (day 1 = <c>DailyQuotas[0]</c>). Built-in presets live
/// in code (<see cref="WarmupPresets"/>); operators' own plans are stored.
/// </summary>
public sealed class WarmupPlan
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    /// <summary>Comma-separated daily quotas, so one column works on PostgreSQL and SQLite alike.</summary>
    public required string Quotas { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public IReadOnlyList<int> DailyQuotas => ParseQuotas(Quotas);

    public static IReadOnlyList<int> ParseQuotas(string text) => text.Split(',').Select(int.Parse).ToList();

    public static string FormatQuotas(IEnumerable<int> quotas) => string.Join(',', quotas);
}

internal sealed class WarmupPlanConfiguration : IEntityTypeConfiguration<WarmupPlan>
{
    public void Configure(EntityTypeBuilder<WarmupPlan> plan)
    {
        plan.ToTable("warmup_plans");
        plan.HasIndex(p => p.Name).IsUnique();
        plan.Property(p => p.Name).HasMaxLength(50);
        plan.Property(p => p.Description).HasMaxLength(500);
        plan.Ignore(p => p.DailyQuotas);
    }
}
