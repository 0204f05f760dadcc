using System.Globalization;
using Sylvan.Data.Csv;

namespace EmailEngine.Simulation;

/// <summary>One attempt a PowerMTA stand-in made (its deliveries.csv): the ground truth of what left an IP, and from which host.</summary>
public sealed record SendAttempt(DateTimeOffset Time, string Vmta, string Rcpt, string Domain, string Outcome, string Host = "")
{
    /// <summary>Reached the remote side: counts against the IP's and the provider's day (an expiry sends nothing).</summary>
    public bool LeftTheIp => Outcome is "delivered" or "bounced" or "deferred";
}

/// <summary>A complaint (feedback-loop <c>f</c> record) in the stand-in's accounting files.</summary>
public sealed record Complaint(DateTimeOffset Time, string Vmta, string Rcpt);

/// <summary>
/// Reads what the PowerMTA stand-in wrote, never the engine's view: every attempt (deliveries.csv), what each mailbox
/// received (mailboxes.csv), and the complaints among its accounting records. Columns are found by name.
/// </summary>
public static class SendingLog
{
    public static List<SendAttempt> Attempts(string stateDirectory, string host = "") =>
        Read(Path.Combine(stateDirectory, "deliveries.csv"), row => new SendAttempt(Time(row("time")), row("vmta"), row("rcpt").ToLowerInvariant(),
            row("domain").ToLowerInvariant(), row("outcome"), host));

    /// <summary>How many messages each recipient's mailbox received.</summary>
    public static Dictionary<string, int> Received(string stateDirectory) =>
        Read(Path.Combine(stateDirectory, "mailboxes.csv"), row => row("rcpt").ToLowerInvariant())
            .GroupBy(rcpt => rcpt).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The recipients still in the spool (accepted, not yet delivered or bounced).</summary>
    public static HashSet<string> Spooled(string stateDirectory)
    {
        var spool = Path.Combine(stateDirectory, "spool");
        var recipients = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (!Directory.Exists(spool))
            return recipients;
        foreach (var file in Directory.EnumerateFiles(spool, "*.msg"))
        {
            using var reader = new StreamReader(file);
            if (reader.ReadLine() is { } metadata && System.Text.Json.JsonDocument.Parse(metadata).RootElement.TryGetProperty("Rcpt", out var rcpt))
                recipients.Add(rcpt.GetString()!);
        }
        return recipients;
    }

    public static List<Complaint> Complaints(string acctDirectory)
    {
        var complaints = new List<Complaint>();
        foreach (var file in Directory.Exists(acctDirectory) ? Directory.EnumerateFiles(acctDirectory, "*.csv") : [])
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
