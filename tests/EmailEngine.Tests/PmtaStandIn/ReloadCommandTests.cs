using System.Net;
using System.Net.Sockets;

namespace EmailEngine.Tests.PmtaStandIn;

/// <summary>The stand-in's <c>pmta reload</c> when the daemon it notifies cannot answer (a restart in progress).</summary>
public sealed class ReloadCommandTests
{
    [Fact]
    public async Task A_reload_the_daemon_never_answers_fails_with_one_message_not_a_crash()
    {
        var state = Directory.CreateTempSubdirectory("ee-pmta-reload-").FullName;
        // Listening, never accepting: a daemon that holds its port but does not serve yet.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        try
        {
            var config = Path.Combine(state, "config");
            await File.WriteAllTextAsync(config, "host-name pmta.test\n<virtual-mta vmta-1>\n    smtp-source-host 203.0.113.1 mail1.test\n</virtual-mta>\n");
            await File.WriteAllTextAsync(Path.Combine(state, "pmtad.port"), $"{((IPEndPoint)silent.LocalEndpoint).Port}");

            var reload = await PmtaDaemon.ReloadAsync(config, state);

            Assert.Equal(1, reload.ExitCode);
            Assert.Equal("Error: pmtad did not answer within 10 s; the new configuration may not be in use yet", reload.StdErr.Trim());
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
