using System.Net;

namespace EmailEngine.Blocklists;

/// <summary>How much a listing matters (the operator's reference, §1.6): critical listings take an IP out of sending.</summary>
public enum ListingSeverity { Info, Warning, Critical }

public enum ZoneKind { Ip, Domain }

/// <summary>One decoded A answer of a zone: the sub-list it names and what it means.</summary>
public sealed record ListingCode(string Code, string Sublist, string Meaning, ListingSeverity Severity);

/// <summary>
/// A DNS blocklist and how to read its answers. Answers are decoded per zone, never "it resolved, so listed": an
/// answer the zone does not document as a listing is a checker error (Spamhaus's 127.255.255.254 for a public
/// resolver, URIBL's 127.0.0.1 for a refused query…), never a listing and never clean.
/// </summary>
public sealed record BlocklistZone(string Name, string Zone, ZoneKind Kind, bool Ipv6, string? TestPoint, Func<IPAddress, ZoneCodeReading> Read)
{
    /// <summary>The name to query: reversed IPv4 octets, reversed IPv6 nibbles (RFC 5782 §2.4), or the domain itself.</summary>
    public string QueryName(string target)
    {
        if (Kind == ZoneKind.Domain)
            return $"{target.TrimEnd('.').ToLowerInvariant()}.{Zone}";
        var address = IPAddress.Parse(target);
        var bytes = address.GetAddressBytes();
        var labels = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? bytes.Reverse().SelectMany(b => new[] { (b & 0xF).ToString("x"), (b >> 4).ToString("x") })
            : bytes.Reverse().Select(b => b.ToString());
        return $"{string.Join('.', labels)}.{Zone}";
    }

    public bool Covers(string target) =>
        Kind == ZoneKind.Domain
            ? !IPAddress.TryParse(target, out _)
            : IPAddress.TryParse(target, out var address) && (Ipv6 || address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
}

/// <summary>What one A answer says: a listing, "not a listing" (e.g. a good reputation score), or a checker error.</summary>
public abstract record ZoneCodeReading
{
    public sealed record Listing(ListingCode Code) : ZoneCodeReading;
    public sealed record NotListing(string Meaning) : ZoneCodeReading;
    public sealed record CheckerError(string Meaning) : ZoneCodeReading;
}
