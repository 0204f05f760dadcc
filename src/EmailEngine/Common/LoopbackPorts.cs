using System.Net;
using System.Net.Sockets;

namespace EmailEngine.Common;

/// <summary>
/// Ports for the servers the simulation, the benchmarks and the tests start on 127.0.0.1. They are drawn below the
/// kernel's ephemeral range (32768–60999), so an outgoing connection cannot take one between the choice and the bind
/// (a port the kernel hands out for port 0 is in that range), and never twice in one process, so two servers cannot be
/// handed the same one. Both TCP and UDP must be free (dnsmasq binds both).
/// </summary>
public static class LoopbackPorts
{
    private const int First = 20_000, Last = 32_767;
    private static readonly HashSet<int> Given = [];
    private static int _next = First + Random.Shared.Next(Last - First);

    public static int Free()
    {
        lock (Given)
        {
            for (var tried = 0; tried <= Last - First; tried++)
            {
                var port = _next;
                _next = port == Last ? First : port + 1;
                if (Given.Contains(port) || !Bindable(port))
                    continue;
                Given.Add(port);
                return port;
            }
        }
        throw new InvalidOperationException($"no free loopback port between {First} and {Last}");
    }

    private static bool Bindable(int port)
    {
        try
        {
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
