using System.Net.Http.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// Pushes of one tenant and language run side by side, each needing the tenant's list first: the first to need it
/// adds its row, the others find it. One row, one MailWizz list, and nothing in the log of a normal run.
/// </summary>
public sealed class TenantListRaceTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Concurrent_pushes_share_one_list_without_a_failed_save_or_a_retry(Provider provider)
    {
        var log = new LogCapture();
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = mailwizz.EngineSettings();
        settings["OUTBOX_WORKER"] = "off";
        await using var engine = await EngineServer.StartAsync(provider, extraSettings: settings,
            extraServices: services => services.AddSingleton<ILoggerProvider>(log));
        using var client = engine.Client();
        // A template and its campaign (a tenant's first setup steps), more templates, and a contact: all for client-1
        // in French, none of whose pushes finds the list's row yet.
        for (var i = 0; i < 6; i++)
            (await client.PostAsJsonAsync("/api/v2/templates", new { name = $"t{i}", subject = "s [FNAME]", html = "<p>[FNAME]</p>", language = "fr", tenant = "client-1" }))
                .EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/v2/campaigns", new { name = "nurture", template_id = 1, type = "autoresponder", trigger = "subscription", tenant = "client-1" }))
            .EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync("/api/v2/contacts", new { email = "a@example.com", tenant = "client-1", language = "fr" })).EnsureSuccessStatusCode();

        await engine.SyncAllAsync();

        Assert.Empty(log.AtLeast(LogLevel.Warning));
        using var scope = engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var list = Assert.Single(await db.Set<TenantList>().ToListAsync());
        Assert.Equal("fr", list.Language);
        // Each push done in one attempt (waiting for the list does not count one).
        Assert.Empty(await db.Set<OutboxMessage>().Where(m => m.Status != OutboxStatus.Done || m.Attempts > 1).ToListAsync());
        var remote = Assert.Single((await mailwizz.StateAsync()).GetProperty("lists").EnumerateArray());
        Assert.Equal(("ee:client-1:fr", list.Sync.RemoteUid), (remote.GetProperty("name").GetString(), remote.GetProperty("uid").GetString()));
    }
}
