using System.Net;
using DnsClient;
using EmailEngine.Hosting;

namespace EmailEngine.Common;

/// <summary>
/// The resolvers the engine asks (intake domain check, DNS verification, blocklists): <c>DNS_SERVERS</c>, a
/// comma-separated list of <c>ip[:port]</c>; <c>DNS_RESOLVER</c> is its older one-server name, still read. Unset: the
/// system's resolvers. A malformed entry stops the start (a typo must not silently send queries elsewhere).
/// </summary>
public sealed record DnsServers(IReadOnlyList<IPEndPoint> Endpoints)
{
    public static DnsServers From(EngineSettings settings)
    {
        var (key, text) = settings.Get("DNS_SERVERS") is { } servers ? ("DNS_SERVERS", servers)
            : settings.Get("DNS_RESOLVER") is { } resolver ? ("DNS_RESOLVER", resolver) : ("", "");
        var endpoints = new List<IPEndPoint>();
        foreach (var entry in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPEndPoint.TryParse(entry, out var endpoint))
                throw new ConfigurationError(key, $"'{entry}' is not an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53");
            endpoints.Add(new IPEndPoint(endpoint.Address, endpoint.Port == 0 ? 53 : endpoint.Port));
        }
        return new DnsServers(endpoints);
    }

    /// <summary>A client on these resolvers; errors are answers to read (<c>ThrowDnsErrors = false</c>), not exceptions.</summary>
    public LookupClient Client(TimeSpan timeout, int retries, bool cacheByTtl = false)
    {
        var options = Endpoints.Count > 0 ? new LookupClientOptions(Endpoints.Select(e => new NameServer(e)).ToArray()) : new LookupClientOptions();
        options.Timeout = timeout;
        options.Retries = retries;
        options.UseCache = cacheByTtl;
        options.ThrowDnsErrors = false;
        options.ContinueOnDnsError = false;
        return new LookupClient(options);
    }
}
