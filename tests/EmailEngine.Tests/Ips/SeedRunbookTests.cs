using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Ips;

/// <summary>
/// The "Ajouter 5 IPs" (add five IPs) step of the operator's V2 setup procedure, run with curl exactly as written there
/// (no Content-Type header).
/// </summary>
public sealed class SeedRunbookTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Seed_curl_adds_five_ips_that_the_list_returns(Provider provider)
    {
        await using var server = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string>
        {
            ["API_KEY"] = "email_engine_v2_key",
        });
        var url = new Uri(server.BaseAddress, "/api/v1/ips").ToString();

        for (var i = 1; i <= 5; i++)
        {
            // Verbatim from that procedure, with [IPn] replaced by a documentation address.
            var body = $$"""
                {
                    "ip": "203.0.113.{{i}}",
                    "domain": "mail{{i}}.domain{{i}}.com",
                    "status": "warming"
                  }
                """;
            var curl = await ProcessRunner.RunAsync("curl", ["-s", "-w", "\n%{http_code}", "-X", "POST", url,
                "-H", "X-API-KEY: email_engine_v2_key", "-d", body]);
            Assert.Equal(0, curl.ExitCode);
            Assert.EndsWith("\n201", curl.StdOut);
        }

        using var client = server.Client("email_engine_v2_key");
        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/ips");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(5, items.Count);
        Assert.Equal(5, list.GetProperty("registered").GetInt32());
        Assert.Equal(5, list.GetProperty("expected").GetInt32());
        for (var i = 1; i <= 5; i++)
        {
            var ip = items[i - 1];
            Assert.Equal($"203.0.113.{i}", ip.GetProperty("ip").GetString());
            Assert.Equal($"mail{i}.domain{i}.com", ip.GetProperty("domain").GetString());
            Assert.Equal("warming", ip.GetProperty("status").GetString());
            Assert.Equal($"vmta-{i}", ip.GetProperty("vmta").GetString());
        }

        var ready = await client.GetAsync("/ready");
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }
}
