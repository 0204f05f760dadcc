namespace PmtaStandIn.Daemon;

/// <summary>Recipients, messages and kilobytes in one direction: totals, the last hour and minute, and the best hour and minute seen.</summary>
public sealed class TrafficMeter
{
    private readonly Queue<(DateTimeOffset Time, int Messages, long Bytes)> _lastHour = new();

    public (long Rcp, long Msg, long Kb) Total { get; private set; }
    public (long Rcp, long Msg, long Kb) TopPerHour { get; private set; }
    public (long Rcp, long Msg, long Kb) TopPerMinute { get; private set; }

    // Written under the daemon's lock, read by the management API: the meter guards itself.
    public void Record(DateTimeOffset now, int recipients, int messages, long bytes)
    {
        lock (_lastHour)
            RecordLocked(now, recipients, messages, bytes);
    }

    public (long Rcp, long Msg, long Kb) Since(DateTimeOffset from)
    {
        lock (_lastHour)
            return SinceLocked(from);
    }

    private void RecordLocked(DateTimeOffset now, int recipients, int messages, long bytes)
    {
        for (var i = 0; i < recipients; i++)
            _lastHour.Enqueue((now, i == 0 ? messages : 0, i == 0 ? bytes : 0));
        Total = (Total.Rcp + recipients, Total.Msg + messages, Total.Kb + bytes / 1024);
        var hour = SinceLocked(now - TimeSpan.FromHours(1));
        var minute = SinceLocked(now - TimeSpan.FromMinutes(1));
        TopPerHour = hour.Rcp > TopPerHour.Rcp ? hour : TopPerHour;
        TopPerMinute = minute.Rcp > TopPerMinute.Rcp ? minute : TopPerMinute;
    }

    private (long Rcp, long Msg, long Kb) SinceLocked(DateTimeOffset from)
    {
        while (_lastHour.TryPeek(out var oldest) && oldest.Time < from - TimeSpan.FromHours(1))
            _lastHour.Dequeue();
        var recent = _lastHour.Where(e => e.Time > from).ToList();
        return (recent.Count, recent.Sum(e => e.Messages), recent.Sum(e => e.Bytes) / 1024);
    }
}
