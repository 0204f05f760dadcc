using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Blocklists;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Health;

/// <summary>GET /api/v1/health: each part of the engine says whether it needs a hand, and why.</summary>
public sealed class OperationsHealthTests : ApiTest
{
    private async Task<Dictionary<string, JsonElement>> ChecksAsync()
    {
        var report = await Client.GetFromJsonAsync<JsonElement>("/api/v1/health");
        return report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
    }

    [Fact]
    public async Task A_quiet_engine_is_healthy_and_tenants_cannot_look()
    {
        var report = await Client.GetFromJsonAsync<JsonElement>("/api/v1/health");

        Assert.Equal("healthy", report.GetProperty("status").GetString());
        Assert.Equal(["accounting", "blocklists", "dns", "mailwizz", "outbox", "powermta", "powermta-status", "warmup"], (await ChecksAsync()).Keys.Order());
        using var tenant = Server.Client(await Server.CreateTenantKeyAsync("client-1"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/health")).StatusCode);
    }

    [Fact]
    public async Task A_failed_push_and_a_critical_listing_are_reported_with_what_to_do()
    {
        using (var scope = Server.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.Add(new OutboxMessage { Kind = "mailwizz.subscriber", ResourceKey = "contact:1", Status = OutboxStatus.Failed, CreatedAt = now, NextAttemptAt = now, LastError = "list gone" });
            db.Add(new BlocklistListing
            {
                Target = "203.0.113.1", Zone = "spamhaus-zen", Codes = "127.0.0.3", Sublists = "SBL CSS", Meaning = "snowshoe", Severity = ListingSeverity.Critical,
                ListedAt = now, LastSeenAt = now,
            });
            await db.SaveChangesAsync();
        }

        var report = await Client.GetFromJsonAsync<JsonElement>("/api/v1/health");
        var checks = await ChecksAsync();

        Assert.Equal("unhealthy", report.GetProperty("status").GetString());
        Assert.Equal("degraded", checks["outbox"].GetProperty("status").GetString());
        Assert.Contains("retry-failed", checks["outbox"].GetProperty("description").GetString());
        Assert.Equal(1, checks["outbox"].GetProperty("data").GetProperty("failed").GetInt32());
        Assert.Equal("unhealthy", checks["blocklists"].GetProperty("status").GetString());
        Assert.Contains("203.0.113.1 on spamhaus-zen", checks["blocklists"].GetProperty("description").GetString());
    }
}
