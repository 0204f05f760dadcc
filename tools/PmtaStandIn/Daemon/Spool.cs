using System.Text;
using System.Text.Json;

namespace PmtaStandIn.Daemon;

/// <summary>One recipient of an accepted message, as spooled: the unit a queue holds, retries and finally delivers or bounces.</summary>
public sealed record SpoolEntry(
    string Id, string MailFrom, string Rcpt, string Vmta, string? Pool, DateTimeOffset TimeQueued, string ClientIp,
    long Size, IReadOnlyList<MessageHeader> Headers)
{
    public string Domain => Rcpt[(Rcpt.LastIndexOf('@') + 1)..].ToLowerInvariant();
    public string Queue => $"{Domain}/{Vmta}";
    public string Header(string name) => Headers.FirstOrDefault(h => h.Name.Equals(name, StringComparison.OrdinalIgnoreCase))?.Value ?? "";
}

/// <summary>
/// `&lt;state-dir&gt;/spool`: one file per recipient (metadata JSON line, then the message as it will be delivered), written
/// to a temporary name, fsynced and renamed before the SMTP 250, and removed once the recipient is delivered or bounced.
/// </summary>
public sealed class Spool(string directory)
{
    public void Store(IReadOnlyList<SpoolEntry> entries, byte[] message)
    {
        Directory.CreateDirectory(directory);
        foreach (var entry in entries)
        {
            var temporary = Path.Combine(directory, entry.Id + ".tmp");
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                file.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry) + "\n"));
                file.Write(message);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, Path.Combine(directory, entry.Id + ".msg"));
        }
    }

    public void Remove(string id) => File.Delete(Path.Combine(directory, id + ".msg"));

    /// <summary>Everything accepted and not finished; half-written files of unacknowledged messages are discarded.</summary>
    public List<SpoolEntry> Load()
    {
        if (!Directory.Exists(directory))
            return [];
        foreach (var partial in Directory.GetFiles(directory, "*.tmp"))
            File.Delete(partial);
        var entries = new List<SpoolEntry>();
        foreach (var path in Directory.GetFiles(directory, "*.msg"))
        {
            using var reader = new StreamReader(path);
            entries.Add(JsonSerializer.Deserialize<SpoolEntry>(reader.ReadLine() ?? "") ?? throw new InvalidDataException($"{path}: no metadata"));
        }
        return entries.OrderBy(e => e.TimeQueued).ToList();
    }
}
