using EmailEngine.Http;

namespace EmailEngine.Ips;

/// <summary>The PowerMTA hosts an IP can be on (provided by PowerMta): a host a request names must exist.</summary>
public interface IIpHosts
{
    /// <summary>The host a request names, as <see cref="SendingIp.Host"/> stores it (null: the default host); an unknown
    /// name is a field error.</summary>
    Task<string?> CheckIpHostAsync(string? name, FieldErrors errors, CancellationToken ct);
}
