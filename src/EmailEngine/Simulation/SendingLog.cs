using System.Globalization;
using Sylvan.Data.Csv;

namespace EmailEngine.Simulation;

/// <summary>One attempt a PowerMTA stand-in made (its deliveries.csv): the ground truth of what left an IP, and from which host.</summary>
/// <param name="Campaign">The MailWizz campaign the message belongs to (<see cref="SendingLog.CampaignOf"/>).</param>
public sealed record SendAttempt(DateTimeOffset Time, string Vmta, string Rcpt, string Domain, string Outcome, string Host = "", string Campaign = "")
{
    /// <summary>Reached the remote side: counts against the IP's and the provider's day (an expiry sends nothing).</summary>
    public bool LeftTheIp => Outcome is "delivered" or "bounced" or "deferred";
}

/// <summary>A complaint (feedback-loop <c>f</c> record) in the stand-in's accounting files.</summary>
public sealed record Complaint(DateTimeOffset Time, string Vmta, string Rcpt);

/// <summary>A recipient's copy of one MailWizz campaign: what must reach a mailbox once.</summary>
public readonly record struct CampaignCopy(string Rcpt, string Campaign);

/// <summary>A copy a mailbox received, and when the host that delivered it had accepted it from MailWizz.</summary>
public sealed record MailboxCopy(CampaignCopy Copy, string Host, DateTimeOffset Queued);

/// <summary>
/// Reads what the PowerMTA stand-in wrote, never the engine's view: every attempt (deliveries.csv), what each mailbox
/// received (mailboxes.csv), and the complaints among its accounting records. Columns are found by name.
/// </summary>
public static class SendingLog
{
    /// <summary>
    /// The campaign a MailWizz message belongs to: MailWizz writes its Message-Id as
    /// <c>&lt;{campaign uid}.{subscriber uid}@{domain}&gt;</c>, so a subscriber's two copies of one campaign share it.
    /// </summary>
    public static string CampaignOf(string messageId)
    {
        var id = messageId.Trim().TrimStart('<');
        var dot = id.IndexOf('.');
        return dot > 0 ? id[..dot] : id;
    }

    public static List<SendAttempt> Attempts(string stateDirectory, string host) =>
        Read(Path.Combine(stateDirectory, "deliveries.csv"), row => new SendAttempt(Time(row("time")), row("vmta"), row("rcpt").ToLowerInvariant(),
            row("domain").ToLowerInvariant(), row("outcome"), host, CampaignOf(row("messageId"))));

    /// <summary>Every copy the mailboxes received (mailboxes.csv), with when the host accepted it.</summary>
    public static List<MailboxCopy> Received(string stateDirectory, string host) =>
        Read(Path.Combine(stateDirectory, "mailboxes.csv"), row => new MailboxCopy(new CampaignCopy(row("rcpt").ToLowerInvariant(), CampaignOf(row("messageId"))),
            host, Time(row("timeQueued"))));

    /// <summary>The messages still in the spool (accepted, not yet delivered or bounced).</summary>
    public static HashSet<CampaignCopy> Spooled(string stateDirectory)
    {
        var spool = Path.Combine(stateDirectory, "spool");
        var messages = new HashSet<CampaignCopy>();
        if (!Directory.Exists(spool))
            return messages;
        foreach (var file in Directory.EnumerateFiles(spool, "*.msg"))
        {
            if (FirstLineOf(file) is not { } metadata)
                continue;
            var entry = System.Text.Json.JsonDocument.Parse(metadata).RootElement;
            if (!entry.TryGetProperty("Rcpt", out var rcpt))
                continue;
            var messageId = entry.TryGetProperty("Headers", out var headers)
                ? headers.EnumerateArray().Where(h => string.Equals(h.GetProperty("Name").GetString(), "Message-ID", StringComparison.OrdinalIgnoreCase))
                    .Select(h => h.GetProperty("Value").GetString()).FirstOrDefault() ?? ""
                : "";
            messages.Add(new CampaignCopy(rcpt.GetString()!.ToLowerInvariant(), CampaignOf(messageId)));
        }
        return messages;
    }

    /// <summary>
    /// Null when the file is gone: the running MTA removes a message once it is delivered or bounced, and it logs the
    /// outcome before the removal, so a message missed here is in the delivery log read after the spool.
    /// </summary>
    private static string? FirstLineOf(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return reader.ReadLine();
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public static List<Complaint> Complaints(string acctDirectory)
    {
        // PowerMTA rotates acct.csv (moves it to acct-DATE-N.csv) at midnight, when the day's row is read: a file gone
        // between the listing and its reading means listing them again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return ComplaintsNow(acctDirectory);
            }
            catch (FileNotFoundException) when (attempt < 5)
            {
            }
        }
    }

    private static List<Complaint> ComplaintsNow(string acctDirectory)
    {
        var complaints = new List<Complaint>();
        foreach (var file in Directory.Exists(acctDirectory) ? Directory.GetFiles(acctDirectory, "*.csv") : [])
            complaints.AddRange(Read(file, row => row("type") == "f" ? new Complaint(AcctTime(row("timeLogged")), row("vmta"), row("rcpt").ToLowerInvariant()) : null)
                .OfType<Complaint>());
        return complaints;
    }

    private static List<T> Read<T>(string path, Func<Func<string, string>, T> map)
    {
        var items = new List<T>();
        if (!File.Exists(path))
            return items;
        using var text = new StreamReader(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true, CsvStyle = CsvStyle.Standard });
        var columns = Enumerable.Range(0, csv.FieldCount).ToDictionary(csv.GetName, i => i, StringComparer.Ordinal);
        string Field(string name) => columns.TryGetValue(name, out var i) && i < csv.RowFieldCount ? csv.GetString(i) : "";
        while (csv.Read())
        {
            if (csv.GetString(0) == "type")
                continue; // a header row repeated inside the file
            items.Add(map(Field));
        }
        return items;
    }

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>PowerMTA's <c>2027-01-04 12:00:05+0000</c>.</summary>
    private static DateTimeOffset AcctTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None);
}
