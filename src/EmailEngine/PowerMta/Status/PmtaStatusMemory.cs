using System.Collections.Concurrent;

namespace EmailEngine.PowerMta.Status;

/// <summary>Where one host stood at its last poll: its status when that poll answered, and the failures in a row before it.</summary>
public sealed record PmtaStatusState(string Host, DateTimeOffset CheckedAt, PmtaStatus? Status, int Failures, bool Unreachable, string? LastError,
    DateTimeOffset? LastAnsweredAt, bool QueueHigh)
{
    public bool Up => Status is not null;
}

/// <summary>The last poll of every host polled, by host name: what the gauges and the health check read (memory only).</summary>
public sealed class PmtaStatusMemory
{
    private readonly ConcurrentDictionary<string, PmtaStatusState> _hosts = new(StringComparer.Ordinal);

    public PmtaStatusState? Of(string host) => _hosts.GetValueOrDefault(host);

    public void Remember(PmtaStatusState state) => _hosts[state.Host] = state;

    /// <summary>Drops the hosts no longer polled (deleted, or no longer reachable by configuration).</summary>
    public void KeepOnly(IReadOnlyCollection<string> hosts)
    {
        foreach (var gone in _hosts.Keys.Except(hosts, StringComparer.Ordinal))
            _hosts.TryRemove(gone, out _);
    }

    public IReadOnlyList<PmtaStatusState> Latest() => _hosts.Values.OrderBy(s => s.Host, StringComparer.Ordinal).ToList();
}
