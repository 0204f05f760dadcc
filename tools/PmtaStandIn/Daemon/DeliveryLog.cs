using System.Globalization;

namespace PmtaStandIn.Daemon;

/// <summary>One line of deliveries.csv: a delivery attempt's outcome (delivered, bounced, deferred) or an expiry.</summary>
public sealed record DeliveryAttempt(
    DateTimeOffset Time, string Vmta, string SourceIp, string Queue, string Rcpt, string Domain, string Outcome, string Reply,
    string BounceCat, int Attempt, string SpoolId, string MessageId, string EeHeaders)
{
    public static readonly string[] Columns =
        ["time", "vmta", "sourceIp", "queue", "rcpt", "domain", "outcome", "reply", "bounceCat", "attempt", "spoolId", "messageId", "eeHeaders"];

    /// <summary>Attempts that reached the remote side, and so count against the queue's and VMTA's pace.</summary>
    public bool WasSent => Outcome is "delivered" or "bounced" or "deferred";
    public bool IsFinal => Outcome is "delivered" or "bounced" or "expired";

    public IEnumerable<string> Fields() =>
        [LogTime.Format(Time), Vmta, SourceIp, Queue, Rcpt, Domain, Outcome, Reply, BounceCat, Attempt.ToString(CultureInfo.InvariantCulture), SpoolId,
            MessageId, EeHeaders];

    public static DeliveryAttempt Parse(IReadOnlyList<string> f) =>
        new(LogTime.Parse(f[0]), f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], int.Parse(f[9], CultureInfo.InvariantCulture), f[10], f[11], f[12]);
}

/// <summary>One line of mailboxes.csv: a message a simulated mailbox received (a 250 from the provider).</summary>
/// <param name="TimeQueued">When this host accepted the message (its SMTP intake), as in the accounting records.</param>
public sealed record MailboxReceipt(DateTimeOffset Time, string Rcpt, string SpoolId, string MessageId, string Vmta, string SourceIp, string XVirtualMta,
    DateTimeOffset TimeQueued)
{
    public static readonly string[] Columns = ["time", "rcpt", "spoolId", "messageId", "vmta", "sourceIp", "xVirtualMta", "timeQueued"];

    public IEnumerable<string> Fields() => [LogTime.Format(Time), Rcpt, SpoolId, MessageId, Vmta, SourceIp, XVirtualMta, LogTime.Format(TimeQueued)];

    public static MailboxReceipt Parse(IReadOnlyList<string> f) =>
        new(LogTime.Parse(f[0]), f[1], f[2], f[3], f[4], f[5], f[6], LogTime.Parse(f[7]));
}

/// <summary>The logs' times: UTC to the millisecond (<c>yyyy-MM-ddTHH:mm:ss.fffZ</c>), virtual under a scaled clock.</summary>
internal static class LogTime
{
    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

/// <summary>
/// The ground truth the tests read: `deliveries.csv` (every attempt) and `mailboxes.csv` (what the mailboxes received),
/// both in the state directory, append-only and flushed to disk per write.
/// </summary>
public sealed class DeliveryLog : IDisposable
{
    private readonly FileStream _deliveries;
    private readonly FileStream _mailboxes;

    public DeliveryLog(string stateDirectory)
    {
        DeliveriesPath = Path.Combine(stateDirectory, "deliveries.csv");
        MailboxesPath = Path.Combine(stateDirectory, "mailboxes.csv");
        // Opening first cuts off a line torn by a kill, so reading sees whole lines only.
        _deliveries = Open(DeliveriesPath, DeliveryAttempt.Columns);
        _mailboxes = Open(MailboxesPath, MailboxReceipt.Columns);
        Attempts = ReadAll(DeliveriesPath, DeliveryAttempt.Parse);
        Receipts = ReadAll(MailboxesPath, MailboxReceipt.Parse);
    }

    public string DeliveriesPath { get; }
    public string MailboxesPath { get; }

    /// <summary>What the files held when the daemon started (to rebuild pacing and finish interrupted deliveries).</summary>
    public List<DeliveryAttempt> Attempts { get; }
    public List<MailboxReceipt> Receipts { get; }

    public void Append(DeliveryAttempt attempt) => Csv.Append(_deliveries, Csv.Line(attempt.Fields()));

    public void Append(MailboxReceipt receipt) => Csv.Append(_mailboxes, Csv.Line(receipt.Fields()));

    private static FileStream Open(string path, string[] columns)
    {
        var stream = Csv.OpenAppendLog(path);
        if (stream.Length == 0)
            Csv.Append(stream, Csv.Line(columns));
        return stream;
    }

    private static List<T> ReadAll<T>(string path, Func<List<string>, T> parse)
    {
        using var reader = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        reader.ReadLine();
        var items = new List<T>();
        while (reader.ReadLine() is { } line)
            items.Add(parse(Csv.Split(line)));
        return items;
    }

    public void Dispose()
    {
        _deliveries.Dispose();
        _mailboxes.Dispose();
    }
}
