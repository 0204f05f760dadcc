namespace EmailEngine.Simulation;

/// <summary>A SIGKILL the driver sent, on the shared virtual clock: to MailWizz (<see cref="ReceivedTwiceCheck.MailWizz"/>),
/// the engine, or a PowerMTA host (by its name).</summary>
public sealed record ProcessKill(string Process, DateTimeOffset At);

/// <summary>What MailWizz's outbox says of one message: how often it was handed to a delivery server, and whether a
/// restart found it with the server (so it was queued again).</summary>
public sealed record MailWizzSends(int Attempts, bool InDoubt);

/// <summary>A campaign copy a mailbox received twice, and the kill that cut its handoff (null when nothing explains it).</summary>
public sealed record CopyReceivedTwice(CampaignCopy Copy, string? CutBy);

/// <summary>
/// Tells the copies received twice because a kill cut an SMTP handoff from the ones nothing explains. SMTP hands a
/// message over at least once: when the connection breaks after the end of DATA and before the client reads the 250,
/// the server has the message and the client sends it again (RFC 1047); MailWizz and PowerMTA do the same. Two of the
/// simulation's kills can cut that handoff:
/// <list type="bullet">
/// <item>MailWizz killed while a message was with PowerMTA: the restart finds it <c>sending</c>, marks it in doubt and
/// sends it again;</item>
/// <item>a PowerMTA host killed after spooling a message and before MailWizz read its 250: MailWizz retries, and the
/// spooled copy is delivered after the restart.</item>
/// </list>
/// Either way MailWizz sent the message more than once, the first copy was accepted at the kill and the second after it.
/// Anything else received twice is a fault.
/// </summary>
public static class ReceivedTwiceCheck
{
    public const string MailWizz = "mailwizz";

    /// <param name="handoff">How far from the kill (both ways) the first copy may have been accepted: the time a handoff
    /// takes, plus the delay between recording a kill and the signal landing, on the virtual clock.</param>
    public static List<CopyReceivedTwice> Find(IEnumerable<MailboxCopy> received, IReadOnlyDictionary<CampaignCopy, MailWizzSends> mailWizz,
        IReadOnlyList<ProcessKill> kills, TimeSpan handoff) =>
        received.GroupBy(r => r.Copy).Where(g => g.Count() > 1)
            .Select(g => new CopyReceivedTwice(g.Key, CutBy([.. g.OrderBy(c => c.Queued)], mailWizz.GetValueOrDefault(g.Key), kills, handoff)))
            .ToList();

    private static string? CutBy(IReadOnlyList<MailboxCopy> copies, MailWizzSends? sends, IReadOnlyList<ProcessKill> kills, TimeSpan handoff)
    {
        // One kill cuts one handoff; MailWizz handing the message over once means the second copy came from elsewhere.
        if (copies.Count != 2 || sends is not { Attempts: > 1 })
            return null;
        var (first, second) = (copies[0], copies[1]);
        bool Cut(ProcessKill kill) => (first.Queued - kill.At).Duration() <= handoff && second.Queued > kill.At;
        if (sends.InDoubt && kills.FirstOrDefault(k => k.Process == MailWizz && Cut(k)) is { } mailWizzKill)
            return $"MailWizz killed at {mailWizzKill.At:u} while handing it to {first.Host}";
        if (kills.FirstOrDefault(k => k.Process == first.Host && Cut(k)) is { } hostKill)
            return $"{first.Host} killed at {hostKill.At:u} before MailWizz read its 250";
        return null;
    }
}
