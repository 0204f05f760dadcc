namespace PmtaStandIn.Daemon;

/// <summary>A recipient waiting in a queue, with its retry state (kept in memory; a restart retries it at once).</summary>
public sealed class PendingRecipient(SpoolEntry entry)
{
    public SpoolEntry Entry { get; } = entry;
    public int Attempts { get; set; }
    public string? LastReply { get; set; }
}

/// <summary>A PowerMTA queue: the recipients of one domain on one VMTA, in the order they become due.</summary>
public sealed class DeliveryQueue(string domain, string vmta)
{
    public string Domain { get; } = domain;
    public string Vmta { get; } = vmta;
    public string Name => $"{Domain}/{Vmta}";
    public PriorityQueue<PendingRecipient, DateTimeOffset> Waiting { get; } = new();
    public int InFlight { get; set; }
    public bool Paused { get; set; }
    public bool InBackoff { get; private set; }
    public DateTimeOffset BackoffSince { get; private set; }
    public int Recipients => Waiting.Count + InFlight;
    public long Bytes => Waiting.UnorderedItems.Sum(i => i.Element.Entry.Size);

    /// <summary>Each backoff trigger restarts the `backoff-to-normal-after` countdown.</summary>
    public void EnterBackoff(DateTimeOffset now) => (InBackoff, BackoffSince) = (true, now);

    public void LeaveBackoff() => InBackoff = false;
}
