using EmailEngine.Data;
using EmailEngine.Deliverability;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Warmup;

public enum WarmupPhase { Running, Paused, Quarantined, Completed }

/// <summary>
/// One IP's progress through its plan. <see cref="SendingDay"/> counts the days the IP actually sent (paused and
/// quarantined days do not count); each ISP group has its own plan step because a spike at one provider holds only
/// that provider's step while the others advance.
/// </summary>
public sealed class IpWarmup
{
    public long IpId { get; set; }
    public required string PlanName { get; set; }
    /// <summary>The plan's quotas when it was assigned: editing a plan later does not move a running warmup.</summary>
    public required string Quotas { get; set; }
    public WarmupPhase Phase { get; set; }
    public int SendingDay { get; set; } = 1;
    /// <summary><c>gmail=12,microsoft=12,…</c>: the plan step each ISP group sends at.</summary>
    public string Steps { get; set; } = "";
    /// <summary>End of an automatic pause or quarantine; null while running or when only an operator can resume.</summary>
    public DateTimeOffset? PausedUntil { get; set; }
    /// <summary>Operator hold: no step advances before this time.</summary>
    public DateTimeOffset? HoldUntil { get; set; }
    /// <summary>Gates only count outcomes after this (start or resume): what came before was already acted upon.</summary>
    public DateTimeOffset WindowStart { get; set; }
    /// <summary>The last period (sending day boundary) evaluated: a period is decided once, whatever the instance count.</summary>
    public DateOnly? LastPeriod { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Optimistic concurrency: two instances deciding the same period cannot both save.</summary>
    public int Version { get; set; }

    public SendingIp Ip { get; set; } = null!;

    public IReadOnlyList<int> DailyQuotas => WarmupPlan.ParseQuotas(Quotas);

    public PlanQuotas Plan => new(PlanName, null, DailyQuotas, WarmupPresets.Find(PlanName) is not null);

    public int StepOf(IspGroup group) => ParseSteps().GetValueOrDefault(group, 1);

    public void SetStep(IspGroup group, int step)
    {
        var steps = ParseSteps();
        steps[group] = step;
        Steps = string.Join(',', IspGroups.All.Select(g => $"{g.Name()}={steps.GetValueOrDefault(g, 1)}"));
    }

    public void SetAllSteps(int step)
    {
        foreach (var group in IspGroups.All)
            SetStep(group, step);
    }

    private Dictionary<IspGroup, int> ParseSteps() => Steps.Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('='))
        .ToDictionary(parts => Enum.Parse<IspGroup>(parts[0], ignoreCase: true), parts => int.Parse(parts[1]));
}

internal sealed class IpWarmupConfiguration : IEntityTypeConfiguration<IpWarmup>
{
    public void Configure(EntityTypeBuilder<IpWarmup> warmup)
    {
        warmup.ToTable("ip_warmups");
        warmup.HasKey(w => w.IpId);
        warmup.HasOne(w => w.Ip).WithOne().HasForeignKey<IpWarmup>(w => w.IpId).OnDelete(DeleteBehavior.Cascade);
        warmup.Property(w => w.PlanName).HasMaxLength(50);
        warmup.Property(w => w.Phase).HasMaxLength(16)
            .HasLowerCaseConversion();
        warmup.Property(w => w.Steps).HasMaxLength(200);
        warmup.Property(w => w.Version).IsConcurrencyToken();
        warmup.Ignore(w => w.DailyQuotas);
        warmup.Ignore(w => w.Plan);
    }
}
