namespace PmtaStandIn.Daemon;

/// <summary>
/// Sorted send times of one queue or VMTA. A rate is a pace (reference §1.4): a send at time t is allowed only if the
/// window (t − T, t] already holds fewer than N sends, so no window of length T ever holds more than N.
/// </summary>
public sealed class SendHistory
{
    private readonly List<DateTimeOffset> _times = [];

    public void Record(DateTimeOffset time, TimeSpan retention)
    {
        var index = _times.BinarySearch(time);
        _times.Insert(index < 0 ? ~index : index, time);
        var keepFrom = FirstAfter(_times[^1] - retention);
        if (keepFrom > 1024)
            _times.RemoveRange(0, keepFrom);
    }

    /// <summary>Sends strictly after <paramref name="from"/>.</summary>
    public int CountSince(DateTimeOffset from) => _times.Count - FirstAfter(from);

    /// <summary>The earliest time from <paramref name="now"/> on at which one more send keeps the pace.</summary>
    public DateTimeOffset EarliestNext(Rate rate, DateTimeOffset now)
    {
        if (rate.IsUnlimited || CountSince(now - rate.Window) < rate.Count)
            return now;
        // The N-th most recent send must have left the window.
        var leaving = _times[_times.Count - rate.Count] + rate.Window;
        return leaving > now ? leaving : now;
    }

    private int FirstAfter(DateTimeOffset from)
    {
        int low = 0, high = _times.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (_times[mid] <= from)
                low = mid + 1;
            else
                high = mid;
        }
        return low;
    }
}
