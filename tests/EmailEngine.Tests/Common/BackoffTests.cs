using EmailEngine.Common;

namespace EmailEngine.Tests.Common;

/// <summary>The one retry rule behind the outbox, the PowerMTA reconciler and the alert sender.</summary>
public sealed class BackoffTests
{
    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    [InlineData(4, 80)]
    [InlineData(8, 1280)]
    [InlineData(9, 1800)]
    [InlineData(1000, 1800)]
    public void The_wait_doubles_from_the_first_and_stops_at_the_cap(int failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Backoff.Doubling(TimeSpan.FromSeconds(10), failures, TimeSpan.FromMinutes(30)));

    [Fact]
    public void A_huge_first_wait_is_capped_not_overflowed() =>
        Assert.Equal(TimeSpan.FromDays(1), Backoff.Doubling(TimeSpan.FromMilliseconds(int.MaxValue), 21, TimeSpan.FromDays(1)));
}
