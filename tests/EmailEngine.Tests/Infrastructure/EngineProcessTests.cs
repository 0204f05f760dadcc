using System.Net;
using System.Net.Sockets;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>The kill tests' engine process: a port taken before the engine binds it must not fail the test that asked for it.</summary>
public sealed class EngineProcessTests
{
    [Fact]
    public async Task An_engine_whose_port_was_taken_starts_on_another_and_one_that_cannot_start_says_why()
    {
        await using var database = await MigratedTemplates.NewPostgresAsync();
        var environment = new Dictionary<string, string> { ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = database.Url, ["OUTBOX_WORKER"] = "off" };
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            using (var engine = await EngineProcess.StartAsync(environment, port))
            {
                using var http = new HttpClient { BaseAddress = engine.BaseAddress };
                Assert.NotEqual(port, engine.BaseAddress.Port);
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
            }

            environment["DATABASE_URL"] = "mysql://nowhere/at-all";
            var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => EngineProcess.StartAsync(environment, LoopbackPorts.Free()));
            Assert.Matches(@"^engine exited \(exit [1-9]\d*\):\n", failed.Message);
            Assert.Contains("DATABASE_URL", failed.Message);
        }
        finally
        {
            taken.Stop();
        }
    }
}
