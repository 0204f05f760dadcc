using System.Text;
using System.Text.Json;

namespace MailWizzStandIn;

/// <summary>
/// Keeps the state across a restart when <c>--state-dir</c> is given (otherwise does nothing): <c>state.json</c>, a
/// snapshot of lists, subscribers, templates, campaigns and the outbox, replaced atomically (write a temporary file,
/// rename) after each change made through the API; and <c>outbox.journal</c>, one JSON line per message state change
/// of the sender (sending, sent, failed, skipped), appended before the next step, so sending does not rewrite the
/// whole snapshot per message. Loading reads the snapshot and replays the journal over it. Both are written to the
/// operating system before the stand-in goes on (they survive a kill of the process, not a power cut: no fsync).
/// Every method is called with the state lock held, which also orders the writes.
/// </summary>
public sealed class StateStore(StandInOptions options, ILogger<StateStore> logger)
{
    private static readonly JsonSerializerOptions Format = new();
    private StreamWriter? _journal;

    private string SnapshotPath => Path.Combine(options.StateDir!, "state.json");
    private string JournalPath => Path.Combine(options.StateDir!, "outbox.journal");

    public void Load(StandInState state)
    {
        if (options.StateDir is null)
            return;
        Directory.CreateDirectory(options.StateDir);
        if (File.Exists(SnapshotPath) && JsonSerializer.Deserialize<Snapshot>(File.ReadAllBytes(SnapshotPath), Format) is { } snapshot)
        {
            state.Lists.AddRange(snapshot.Lists);
            state.Templates.AddRange(snapshot.Templates);
            state.Campaigns.AddRange(snapshot.Campaigns);
            state.Blacklist.UnionWith(snapshot.Blacklist);
            foreach (var message in snapshot.Outbox)
                state.Outbox.Put(message);
        }
        if (File.Exists(JournalPath))
            foreach (var line in File.ReadLines(JournalPath))
                // A kill while a line was being written leaves it cut short: that change had not been acted upon.
                if (TryParse(line) is { } message)
                    state.Outbox.Put(message);
        foreach (var message in state.Outbox.Messages.Where(m => m.State == MessageState.Sending))
            (message.State, message.InDoubt) = (MessageState.Queued, true);
        var inDoubt = state.Outbox.Messages.Count(m => m.InDoubt);
        logger.LogWarning("State loaded from {Dir}: {Lists} lists, {Campaigns} campaigns, {Messages} messages ({InDoubt} in doubt, to be sent again)",
            options.StateDir, state.Lists.Count, state.Campaigns.Count, state.Outbox.Messages.Count, inDoubt);
        Save(state);
    }

    /// <summary>Writes the snapshot, then empties the journal: everything it said is in the snapshot now.</summary>
    public void Save(StandInState state)
    {
        if (options.StateDir is null)
            return;
        // A finished message keeps its identity and outcome, not its body: the snapshot is rewritten on every change, and
        // bodies would make each rewrite grow with everything ever sent.
        var snapshot = new Snapshot(state.Lists, state.Templates, state.Campaigns, [.. state.Blacklist],
            [.. state.Outbox.Messages.Select(m => MessageState.IsFinal(m.State) ? m.WithoutBody() : m)]);
        var temporary = SnapshotPath + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write))
            JsonSerializer.Serialize(file, snapshot, Format);
        File.Move(temporary, SnapshotPath, overwrite: true);
        _journal?.Dispose();
        _journal = new StreamWriter(new FileStream(JournalPath, FileMode.Create, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>Records a message's new state; returns once the line is with the operating system.</summary>
    public void Journal(OutboundMessage message)
    {
        if (_journal is null)
            return;
        _journal.WriteLine(JsonSerializer.Serialize(message, Format));
        _journal.Flush();
    }

    private static OutboundMessage? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<OutboundMessage>(line, Format);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Snapshot(List<MwList> Lists, List<MwTemplate> Templates, List<MwCampaign> Campaigns, List<string> Blacklist,
        List<OutboundMessage> Outbox);
}
