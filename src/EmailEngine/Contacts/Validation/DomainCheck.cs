using System.Collections.Concurrent;
using DnsClient;
using DnsClient.Protocol;
using EmailEngine.Common;
using EmailEngine.Hosting;

namespace EmailEngine.Contacts.Validation;

public enum DomainVerdict { HasMx, HasAddressOnly, NoMailHost, Unknown }

/// <summary><c>CONTACTS_DNS_CHECK</c> (off), read at start.</summary>
public sealed record DomainCheckSettings(bool Enabled)
{
    public static DomainCheckSettings From(EngineSettings settings) => new(settings.Switch("CONTACTS_DNS_CHECK", false));
}

/// <summary>
/// Optional intake step (<c>CONTACTS_DNS_CHECK=on</c>): can the domain receive mail? MX first, then A/AAAA (RFC 5321
/// implicit MX); NXDOMAIN or a null MX (<c>0 .</c>, RFC 7505) means no. A DNS failure or timeout is
/// <see cref="DomainVerdict.Unknown"/>: the contact is kept, never lost to a resolver hiccup. Answers are cached for
/// an hour (our cache holds verdicts, not records).
/// </summary>
public sealed class DomainCheck(DomainCheckSettings settings, DnsServers servers, TimeProvider clock)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (DomainVerdict Verdict, DateTimeOffset At)> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly LookupClient _dns = servers.Client(TimeSpan.FromSeconds(2), retries: 1);

    public bool Enabled => settings.Enabled;

    public async Task<DomainVerdict> CheckAsync(string asciiDomain, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(asciiDomain, out var cached) && now - cached.At < CacheFor)
            return cached.Verdict;
        var verdict = await LookUpAsync(asciiDomain, ct);
        if (verdict != DomainVerdict.Unknown)
            _cache[asciiDomain] = (verdict, now);
        return verdict;
    }

    private async Task<DomainVerdict> LookUpAsync(string domain, CancellationToken ct)
    {
        try
        {
            var mx = await _dns.QueryAsync(domain, QueryType.MX, cancellationToken: ct);
            if (mx.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
                return DomainVerdict.NoMailHost;
            if (mx.HasError)
                return DomainVerdict.Unknown;
            var exchanges = mx.Answers.MxRecords().ToList();
            if (exchanges.Count > 0)
                return exchanges.All(r => r.Exchange.Value is "." or "") ? DomainVerdict.NoMailHost : DomainVerdict.HasMx;
            foreach (var type in new[] { QueryType.A, QueryType.AAAA })
            {
                var address = await _dns.QueryAsync(domain, type, cancellationToken: ct);
                if (address.HasError)
                    return DomainVerdict.Unknown;
                if (address.Answers.OfType<AddressRecord>().Any())
                    return DomainVerdict.HasAddressOnly;
            }
            return DomainVerdict.NoMailHost;
        }
        catch (Exception e) when (e is DnsResponseException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return DomainVerdict.Unknown;
        }
    }

    public static string ToWire(DomainVerdict verdict) => verdict switch
    {
        DomainVerdict.HasMx => "has_mx",
        DomainVerdict.HasAddressOnly => "has_address_only",
        DomainVerdict.NoMailHost => "no_mail_host",
        _ => "unknown",
    };
}
