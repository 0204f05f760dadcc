using System.Net.Http.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Outbox;

/// <summary>
/// A push claimed by an engine that was then killed: on SQLite (one process owns the file) the next engine releases it at
/// start instead of leaving it for the lease; on PostgreSQL another instance may still be running it, so the lease decides.
/// </summary>
public sealed class StoppedProcessClaimsTests
{
    [Theory]
    [InlineData(Provider.Sqlite, 1)]
    [InlineData(Provider.Postgres, 0)]
    public async Task A_claim_left_by_a_stopped_engine_is_released_at_start_only_where_one_process_owns_the_database(Provider provider, int released)
    {
        await using var server = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Add("X-API-KEY", EngineServer.OperatorKey);
        (await client.PostAsJsonAsync("/api/v2/templates", new { name = "t", subject = "s", html = "<p>x</p>", language = "fr", tenant = "client-1" }))
            .EnsureSuccessStatusCode();
        var leasedUntil = DateTimeOffset.UtcNow.AddDays(7);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // As the killed engine left it: claimed, its lease a week away.
            Assert.Equal(1, await db.Set<OutboxMessage>().ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Status, OutboxStatus.Processing).SetProperty(m => m.LockedUntil, leasedUntil)));
        }

        var dispatcher = server.Services.GetRequiredService<OutboxDispatcher>();
        Assert.Equal(released, await dispatcher.ReleaseClaimsOfStoppedProcessAsync(CancellationToken.None));
        // Released: the next batch takes it (and runs it); still leased: nothing is due.
        Assert.Equal(released, await dispatcher.DispatchBatchAsync(CancellationToken.None));
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var message = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<OutboxMessage>().SingleAsync();
            // Run (and put back to wait: this engine has no MailWizz), or still with the stopped engine until its lease ends.
            Assert.Equal(released == 1 ? OutboxStatus.Pending : OutboxStatus.Processing, message.Status);
        }
    }
}
