using System.Net;
using System.Net.Sockets;

namespace EmailEngine.Webhooks;

/// <summary>
/// Keeps tenants' webhook URLs off the engine's own network (server-side request forgery): checked when a URL is
/// registered, and again on every connection, against the addresses DNS returns then (a name may be re-pointed).
/// </summary>
public sealed class WebhookTargets(WebhookOptions options)
{
    /// <returns>Why the URL cannot be used, or null.</returns>
    public string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "required";
        if (url.Length > 2000)
            return "must be at most 2000 characters";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "must be an absolute http:// or https:// URL";
        if (uri.UserInfo.Length > 0)
            return "must not carry credentials (user:password@); authenticate with the signature";
        if (!options.AllowPrivateTargets && (uri.IsLoopback || (IPAddress.TryParse(uri.DnsSafeHost, out var ip) && IsPrivate(ip))))
            return "must not point at a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE_TARGETS allows it)";
        return null;
    }

    /// <summary>The <see cref="SocketsHttpHandler.ConnectCallback"/>: connects to the first allowed address of the host.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(context.DnsEndPoint.Host, out var literal)
            ? [literal] : await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, ct);
        var allowed = addresses.Where(a => options.AllowPrivateTargets || !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
            throw new HttpRequestException($"{context.DnsEndPoint.Host} resolves only to loopback, private or link-local addresses; refused");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
