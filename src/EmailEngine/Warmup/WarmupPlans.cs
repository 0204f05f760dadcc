using System.Text.RegularExpressions;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Warmup;

public sealed record CreatePlanRequest(string? Name, string? Description, IReadOnlyList<int>? DailyQuotas);

public sealed record PlanResponse(string Name, string? Description, bool BuiltIn, int Days, IReadOnlyList<int> DailyQuotas)
{
    public static PlanResponse From(PlanQuotas plan) => new(plan.Name, plan.Description, plan.BuiltIn, plan.Days, plan.DailyQuotas);
}

/// <summary>The built-in presets plus the operator's stored plans.</summary>
public static partial class WarmupPlans
{
    public const int MaxDays = 365;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,49}$")]
    private static partial Regex PlanName();

    public static async Task<PlanQuotas?> FindAsync(AppDbContext db, string name, CancellationToken ct)
    {
        if (WarmupPresets.Find(name) is { } preset)
            return preset;
        var stored = await db.Set<WarmupPlan>().AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, ct);
        return stored is null ? null : ToQuotas(stored);
    }

    public static async Task<IResult> List(AppDbContext db, CancellationToken ct)
    {
        var stored = await db.Set<WarmupPlan>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<PlanResponse>(WarmupPresets.All.Concat(stored.Select(ToQuotas)).Select(PlanResponse.From)));
    }

    /// <summary>A plan is a non-decreasing list of positive daily quotas, one per sending day.</summary>
    public static async Task<IResult> Create(CreatePlanRequest request, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? "";
        if (!PlanName().IsMatch(name))
            errors.Add("name", "2 to 50 characters: lower-case letters, digits and '-', starting with a letter or digit");
        var quotas = request.DailyQuotas ?? [];
        if (quotas.Count is 0 or > MaxDays)
            errors.Add("daily_quotas", $"one quota per sending day, 1 to {MaxDays} days");
        else if (QuotaProblem(quotas) is { } problem)
            errors.Add("daily_quotas", problem);
        if (request.Description is { Length: > 500 })
            errors.Add("description", "at most 500 characters");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (WarmupPresets.Find(name) is not null || await db.Set<WarmupPlan>().AnyAsync(p => p.Name == name, ct))
            return new Failure.Conflict($"plan {name} already exists", new Dictionary<string, string[]> { ["name"] = [$"{name} already exists"] }).ToProblem();

        var plan = new WarmupPlan { Name = name, Description = request.Description, Quotas = WarmupPlan.FormatQuotas(quotas), CreatedAt = clock.GetUtcNow() };
        db.Add(plan);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/warmup/plans/{name}", PlanResponse.From(ToQuotas(plan)));
    }

    private static string? QuotaProblem(IReadOnlyList<int> quotas)
    {
        for (var i = 0; i < quotas.Count; i++)
        {
            if (quotas[i] is < 1 or > 10_000_000)
                return $"day {i + 1}: {quotas[i]} is not between 1 and 10,000,000";
            if (i > 0 && quotas[i] < quotas[i - 1])
                return $"day {i + 1} ({quotas[i]}) is below day {i} ({quotas[i - 1]}): a warmup never ramps down";
        }
        return null;
    }

    private static PlanQuotas ToQuotas(WarmupPlan plan) => new(plan.Name, plan.Description, plan.DailyQuotas, BuiltIn: false);
}
