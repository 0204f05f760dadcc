using EmailEngine.Deliverability;
using EmailEngine.Simulation;

namespace EmailEngine.Tests.Simulation;

/// <summary>The checker the simulation's verdict rests on must catch a breach, not just report none.</summary>
public sealed class QuotaInvariantTests
{
    private static readonly DateTimeOffset Start = new(2027, 1, 4, 0, 0, 0, TimeSpan.Zero);

    private static QuotaSample Sample(double hours, int daily, int gmail = 2) => new(Start.AddHours(hours), "vmta-1", daily,
        IspGroups.All.ToDictionary(g => g, g => g == IspGroup.Gmail ? gmail : daily), Bounded: true);

    private static SendAttempt Send(double hours, string domain = "free.fr", string outcome = "delivered") =>
        new(Start.AddHours(hours), "vmta-1", $"x{hours}@{domain}", domain, outcome);

    [Fact]
    public void Six_in_any_24_hours_under_a_quota_of_5_is_a_breach_even_across_midnight()
    {
        var sends = new[] { 20.0, 21, 22, 23, 25, 26 }.Select(h => Send(h)).ToList(); // 6 within 6 hours, across midnight

        var violations = QuotaInvariant.Check(sends, [Sample(0, 5), Sample(24, 5)]);

        var total = Assert.Single(violations, v => v.Scope == "total");
        Assert.Equal((6, 5), (total.Sent, total.Quota));
    }

    [Fact]
    public void The_quota_in_force_counts_a_raise_from_its_decision_and_expiries_send_nothing()
    {
        // Day 1: 5 spread over the day; day 2 (quota 10): 5 more in the first hours; an expiry is not a send.
        var sends = new[] { 2.0, 6, 10, 14, 18 }.Select(h => Send(h)).Concat(new[] { 24.5, 25, 25.5, 26, 26.5 }.Select(h => Send(h)))
            .Append(Send(27, outcome: "expired")).ToList();

        Assert.DoesNotContain(QuotaInvariant.Check(sends, [Sample(0, 5), Sample(24.1, 10)]), v => v.Scope == "total");
        Assert.Single(QuotaInvariant.Check(sends, [Sample(0, 5), Sample(24.1, 5)]), v => v.Scope == "total");
    }

    [Fact]
    public void A_group_is_held_to_its_own_quota_and_every_other_domain_to_the_other_quota()
    {
        var sends = new[] { 1.0, 2, 3 }.Select(h => Send(h, "gmail.com")).Concat([Send(4, "googlemail.com")]) // 4 to Gmail's 2 domains
            .Concat(new[] { 5.0, 6 }.Select(h => Send(h, "free.fr"))).ToList();

        var violations = QuotaInvariant.Check(sends, [Sample(0, 50, gmail: 3)]);

        var gmail = Assert.Single(violations);
        Assert.Equal(("gmail", 4, 3), (gmail.Scope, gmail.Sent, gmail.Quota));
    }
}
