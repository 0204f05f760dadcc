using System.Diagnostics;
using System.Net;
using DnsClient;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>A real DNS server (Debian's dnsmasq) on a free 127.0.0.1 port, authoritative for the records given.</summary>
public sealed class DnsmasqServer : IDisposable
{
    private readonly Process _process;

    private DnsmasqServer(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <param name="localDomains">Domains dnsmasq answers for alone (unknown names there get NXDOMAIN).</param>
    /// <param name="records">dnsmasq options such as <c>--mx-host=…</c>, <c>--host-record=…</c>, <c>--txt-record=…</c>.</param>
    /// <param name="port">A port chosen beforehand (e.g. already given to the engine as its resolver); default a free one.</param>
    public static async Task<DnsmasqServer> StartAsync(IEnumerable<string> localDomains, IEnumerable<string> records, int? port = null)
    {
        const string binary = "/usr/sbin/dnsmasq";
        if (!File.Exists(binary))
            throw new FileNotFoundException("dnsmasq is not installed: run the suite with ./test, which installs it");
        var listenPort = port ?? LoopbackPorts.Free();
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--bind-interfaces",
                     "--listen-address=127.0.0.1", $"--port={listenPort}", "--user=root", "--pid-file" })
            info.ArgumentList.Add(argument);
        foreach (var domain in localDomains)
            info.ArgumentList.Add($"--local=/{domain}/");
        foreach (var record in records)
            info.ArgumentList.Add(record);
        var process = Process.Start(info)!;
        // Ready means answering a query over UDP, the way resolvers ask: a TCP connect alone could reach another listener.
        var probe = new LookupClient(new LookupClientOptions(new NameServer(IPAddress.Loopback, listenPort))
        {
            Timeout = TimeSpan.FromMilliseconds(500), Retries = 0, UseCache = false, UseTcpFallback = false,
        });
        for (var i = 0; i < 20; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"dnsmasq exited: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                await probe.QueryAsync(localDomains.FirstOrDefault() ?? "localhost", QueryType.SOA);
                return new DnsmasqServer(process, listenPort);
            }
            catch (DnsResponseException)
            {
                await Task.Delay(100);
            }
        }
        process.Kill();
        throw new TimeoutException($"dnsmasq on 127.0.0.1:{listenPort} did not answer over UDP");
    }

    private bool _disposed;

    /// <summary>Stops the server; safe to call twice (tests stop it early to simulate a resolver outage).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
