using EmailEngine.Ips;

namespace EmailEngine.PowerMta;

/// <summary>
/// Today's limits of the virtual MTAs that must not send freely (warming IPs), by virtual MTA name. Provided by the
/// warmup feature; rendering only writes them.
/// </summary>
public interface IVmtaLimitsSource
{
    Task<IReadOnlyDictionary<string, VmtaLimits>> LimitsAsync(IReadOnlyList<SendingIp> ips, CancellationToken ct);
}

/// <summary>A queue rate inside one virtual MTA: <c>&lt;domain Domain&gt; max-msg-rate MaxMsgRate &lt;/domain&gt;</c>.</summary>
public sealed record DomainRate(string Domain, string MaxMsgRate);

/// <summary>
/// The rate limits a warming IP's virtual MTA must respect today: a cap on the whole virtual MTA
/// (<c>max-smtp-msg-rate</c>) and per-domain queue rates (<c>max-msg-rate</c>, one queue per domain and VMTA).
/// The reference lists <c>max-smtp-msg-rate</c> among pool directives; its VMTA-level use is not confirmed there, and a
/// host that rejected it would fail <c>pmta test config</c> and roll back (recorded on the decision), never go live.
/// </summary>
public sealed record VmtaLimits(string VmtaMaxMsgRate, IReadOnlyList<DomainRate> Domains, string? Comment = null);
