using EmailEngine.Simulation;

namespace EmailEngine.Tests.Simulation;

/// <summary>
/// A copy received twice passes only when a kill cut its handoff: MailWizz sent it again, the first copy was accepted at
/// the kill and the second after it. Everything else stays a failure, so the kill simulation's "received twice 0" keeps
/// its meaning.
/// </summary>
public sealed class ReceivedTwiceCheckTests
{
    private static readonly DateTimeOffset Kill = new(2027, 1, 6, 14, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Handoff = TimeSpan.FromHours(3); // a real second at 8 s a day
    private static readonly CampaignCopy Welcome = new("sim.000036@icloud.com", "welcome-uid");

    private static MailboxCopy Copy(double hoursFromKill, string host = "default") => new(Welcome, host, Kill.AddHours(hoursFromKill));

    private static Dictionary<CampaignCopy, MailWizzSends> Sent(int attempts, bool inDoubt = false) => new() { [Welcome] = new(attempts, inDoubt) };

    private static string? CutBy(IEnumerable<MailboxCopy> received, Dictionary<CampaignCopy, MailWizzSends> sends, params ProcessKill[] kills) =>
        Assert.Single(ReceivedTwiceCheck.Find(received, sends, kills, Handoff)).CutBy;

    [Fact]
    public void A_copy_received_once_is_not_reported()
    {
        var received = new[] { Copy(-1), new MailboxCopy(Welcome with { Campaign = "newsletter-uid" }, "default", Kill.AddHours(2)) };

        Assert.Empty(ReceivedTwiceCheck.Find(received, Sent(2, inDoubt: true), [new(ReceivedTwiceCheck.MailWizz, Kill)], Handoff));
    }

    [Fact]
    public void MailWizz_killed_with_the_message_in_doubt_explains_the_second_copy()
    {
        var cutBy = CutBy([Copy(0.5), Copy(-0.01)], Sent(2, inDoubt: true), new ProcessKill(ReceivedTwiceCheck.MailWizz, Kill));

        Assert.Equal("MailWizz killed at 2027-01-06 14:00:00Z while handing it to default", cutBy);
    }

    [Fact]
    public void The_host_that_accepted_the_first_copy_killed_before_MailWizz_read_its_250_explains_the_second()
    {
        var cutBy = CutBy([Copy(-0.01, "pmta-2"), Copy(1, "pmta-2")], Sent(2), new ProcessKill("default", Kill), new ProcessKill("pmta-2", Kill.AddMinutes(5)));

        Assert.Equal("pmta-2 killed at 2027-01-06 14:05:00Z before MailWizz read its 250", cutBy);
    }

    [Fact]
    public void Nothing_explains_a_second_copy_MailWizz_sent_once_or_without_a_kill_or_far_from_it()
    {
        var host = new ProcessKill("default", Kill);
        var mailWizz = new ProcessKill(ReceivedTwiceCheck.MailWizz, Kill);

        Assert.Null(CutBy([Copy(0), Copy(1)], Sent(1), host)); // MailWizz handed it over once: PowerMTA delivered it twice
        Assert.Null(CutBy([Copy(0), Copy(1)], Sent(2))); // no kill
        Assert.Null(CutBy([Copy(0), Copy(1)], Sent(2), new ProcessKill("engine", Kill))); // the engine is not on the SMTP path
        Assert.Null(CutBy([Copy(0), Copy(1)], Sent(2), new ProcessKill("pmta-2", Kill))); // another host was killed
        Assert.Null(CutBy([Copy(0), Copy(1)], Sent(2), mailWizz)); // MailWizz killed, but not with this message in hand
        Assert.Null(CutBy([Copy(-4), Copy(1)], Sent(2), host)); // the first copy was accepted hours before the kill
        Assert.Null(CutBy([Copy(-0.5), Copy(-0.2)], Sent(2), host)); // both copies before the kill
        Assert.Null(CutBy([Copy(0), Copy(1), Copy(2)], Sent(3), host)); // one kill cuts one handoff: a copy too many
    }
}
