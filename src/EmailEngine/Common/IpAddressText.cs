using System.Net;
using System.Net.Sockets;

namespace EmailEngine.Common;

/// <summary>
/// Strict parsing of sending IP addresses. <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone accepts
/// forms such as <c>1.2.3</c> or <c>010.1.1.1</c> that no operator means; we require dotted-quad IPv4 or IPv6.
/// </summary>
public static class IpAddressText
{
    public static bool TryNormalize(string? value, out IPAddress? address, out string reason)
    {
        address = null;
        reason = "";
        var text = value?.Trim() ?? "";
        if (text.Length == 0)
        {
            reason = "required";
            return false;
        }
        var valid = text.Contains(':') ? IsIpv6(text, out address) : IsDottedQuad(text, out address);
        if (!valid)
        {
            reason = $"'{Truncate(text)}' is not a valid IPv4 (a.b.c.d, each 0-255) or IPv6 address";
            return false;
        }
        if (IPAddress.IsLoopback(address!) || address!.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.Equals(IPAddress.Broadcast) || address.IsIPv6Multicast || IsIpv4Multicast(address))
        {
            reason = $"{address} is a loopback, unspecified, broadcast or multicast address, not a sending IP";
            address = null;
            return false;
        }
        return true;
    }

    private static bool IsDottedQuad(string text, out IPAddress? address)
    {
        address = null;
        var parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var part in parts)
        {
            // No signs, no spaces, no leading zeros (010 reads as octal in some resolvers).
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0') || int.Parse(part) > 255)
                return false;
        }
        address = IPAddress.Parse(text);
        return true;
    }

    private static bool IsIpv6(string text, out IPAddress? address) =>
        IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6
        && !text.Contains('%') && !text.Contains('[');

    private static bool IsIpv4Multicast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224 and <= 239;

    private static string Truncate(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
