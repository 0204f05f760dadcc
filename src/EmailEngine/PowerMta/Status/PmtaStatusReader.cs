using EmailEngine.PowerMta.Deploy;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace EmailEngine.PowerMta.Status;

/// <summary>
/// Reads a host's <c>/status?format=json</c> through its SSH connection: a local port forward from an ephemeral port on
/// 127.0.0.1 to the management port on the host's own loopback (where the rendered <c>http-access</c> allows it), open
/// only for the one request. The management port is never reached directly.
/// </summary>
public sealed class PmtaStatusReader(IHttpClientFactory http)
{
    public const string HttpClientName = "pmta-status";

    /// <exception cref="PmtaHostException">The host, the tunnel or the management port did not answer, or answered something else; the message is safe to show.</exception>
    public async Task<PmtaStatus> ReadAsync(PmtaHostOptions host, CancellationToken ct)
    {
        var mgmtPort = host.MgmtPort;
        using var ssh = await PmtaShell.ConnectSshAsync(host, ct);
        using var forward = new ForwardedPortLocal("127.0.0.1", 0, "127.0.0.1", (uint)mgmtPort);
        ssh.AddForwardedPort(forward);
        try
        {
            forward.Start();
            // Each read has its own tunnel on its own port: a pooled connection would outlive it.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{forward.BoundPort}/status?format=json");
            request.Headers.ConnectionClose = true;
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new PmtaHostException($"the management port {mgmtPort} answered {(int)response.StatusCode} to /status");
            return PmtaStatus.Parse(body);
        }
        catch (Exception e) when (e is HttpRequestException or SshException or IOException or System.Net.Sockets.SocketException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            throw new PmtaHostException($"the management port {mgmtPort} did not answer through the SSH tunnel: {e.Message}");
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw new PmtaHostException($"the management port {mgmtPort} answered something else than PowerMTA's status: {e.Message}");
        }
        finally
        {
            if (forward.IsStarted)
                forward.Stop();
        }
    }
}
