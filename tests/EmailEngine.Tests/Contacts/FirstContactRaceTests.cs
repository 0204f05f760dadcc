using System.Net;
using System.Net.Http.Json;
using EmailEngine.Campaigns;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.Contacts;

/// <summary>
/// The first contacts of a tenant nobody has seen yet, sent side by side: each request may be the one that creates the
/// tenant, its built-in welcome template and its autoresponder. Every request must be stored (202), and each of those
/// exist once.
/// </summary>
public sealed class FirstContactRaceTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Parallel_first_contacts_of_new_tenants_are_all_stored_with_one_tenant_template_and_autoresponder(Provider provider)
    {
        var log = new LogCapture();
        await using var engine = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" },
            extraServices: services => services.AddSingleton<ILoggerProvider>(log));
        using var client = engine.Client();
        string[] tenants = ["race-1", "race-2", "race-3", "race-4"];

        var answers = await Task.WhenAll(tenants.SelectMany(tenant => Enumerable.Range(0, 16).Select(async i =>
        {
            using var response = await client.PostAsJsonAsync("/api/v2/contacts",
                new { email = $"c{i}@{tenant}.example.com", tenant, language = "fr", first_name = $"C{i}" });
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })));

        Assert.All(answers, a => Assert.True(a.StatusCode == HttpStatusCode.Accepted, $"{(int)a.StatusCode}: {a.Body}"));
        using var scope = engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var slug in tenants)
        {
            var tenant = await db.Set<Tenant>().SingleAsync(t => t.Slug == slug);
            Assert.Equal(16, await db.Set<Contact>().CountAsync(c => c.TenantId == tenant.Id));
            var template = await db.Set<EmailTemplate>().SingleAsync(t => t.TenantId == tenant.Id);
            Assert.Equal("welcome_fr", template.Name);
            var campaign = await db.Set<Campaign>().SingleAsync(c => c.TenantId == tenant.Id);
            Assert.True(campaign.IsWelcome);
            Assert.Equal(16, await db.Set<Contact>().CountAsync(c => c.TenantId == tenant.Id && c.WelcomeCampaignId == campaign.Id));
        }
        // A lost race is resolved, not a failure: nothing at error level, EF's own report of the refused insert included
        // (it logs failed commands at debug: DatabaseSetup).
        Assert.Empty(log.AtLeast(LogLevel.Error));
    }
}
