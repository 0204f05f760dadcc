using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Campaigns;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.MailWizz.Sync;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// MailWizz loses what the engine pushed (a person deletes the list, a backup older than the engine's pushes is
/// restored): the next push recreates the list and its autoresponder before adding subscribers, and the periodic check
/// finds what was lost on a quiet tenant. Welcome mails go on; nothing is left failed.
/// </summary>
public sealed class LostRemoteTests : MailWizzStackTest
{
    private HttpClient _mailwizzApi = null!;

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["MAILWIZZ_CHECK_SECONDS"] = "0" };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _mailwizzApi = new HttpClient { BaseAddress = new Uri(MailWizz.ApiUrl.TrimEnd('/') + "/") };
        _mailwizzApi.DefaultRequestHeaders.Add("X-API-KEY", MailWizzStandInServer.ApiKey);
    }

    public override async Task DisposeAsync()
    {
        _mailwizzApi.Dispose();
        await base.DisposeAsync();
    }

    private async Task SubscribeAsync(string email)
    {
        (await Client.PostAsJsonAsync("/api/v2/contacts", new { email, tenant = "client-1", language = "fr", first_name = "Zoé" })).EnsureSuccessStatusCode();
        await Engine.SyncAllAsync();
    }

    /// <summary>Deletes through MailWizz's own API, as a person in its back office would; the list's campaigns go with it.</summary>
    private async Task DeleteInMailWizzAsync(bool template)
    {
        var state = await MailWizz.StateAsync();
        foreach (var campaign in state.GetProperty("campaigns").EnumerateArray())
            (await _mailwizzApi.DeleteAsync($"campaigns/{campaign.GetProperty("uid").GetString()}")).EnsureSuccessStatusCode();
        (await _mailwizzApi.DeleteAsync($"lists/{Assert.Single(state.GetProperty("lists").EnumerateArray()).GetProperty("uid").GetString()}"))
            .EnsureSuccessStatusCode();
        if (template)
            (await _mailwizzApi.DeleteAsync($"templates/{Assert.Single(state.GetProperty("templates").EnumerateArray()).GetProperty("uid").GetString()}"))
                .EnsureSuccessStatusCode();
    }

    private async Task<List<string>> WelcomedAsync() =>
        (await MailWizz.MessagesAsync()).EnumerateArray().Select(m => m.GetProperty("To").GetString()!).Order().ToList();

    private async Task AssertEverythingSyncedOnTheLiveListAsync()
    {
        var state = await MailWizz.StateAsync();
        var list = Assert.Single(state.GetProperty("lists").EnumerateArray());
        var campaign = Assert.Single(state.GetProperty("campaigns").EnumerateArray());
        Assert.Equal(list.GetProperty("uid").GetString(), campaign.GetProperty("list_uid").GetString());
        Assert.Equal(Assert.Single(state.GetProperty("templates").EnumerateArray()).GetProperty("uid").GetString(),
            campaign.GetProperty("template_uid").GetString());
        using var scope = Engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(list.GetProperty("uid").GetString(), (await db.Set<TenantList>().SingleAsync()).Sync.RemoteUid);
        Assert.Equal(campaign.GetProperty("uid").GetString(), (await db.Set<Campaign>().SingleAsync()).Sync.RemoteUid);
        Assert.All(await db.Set<Contact>().ToListAsync(), c => Assert.Equal(SyncStatus.Synced, c.Sync.Status));
        Assert.Empty(await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Failed).ToListAsync());
    }

    [Fact]
    public async Task A_push_that_meets_a_deleted_list_recreates_it_and_its_autoresponder_and_the_welcome_still_goes_out()
    {
        await SubscribeAsync("first@example.com");
        await DeleteInMailWizzAsync(template: false);

        await SubscribeAsync("second@example.com");

        await OutageTests.WaitAsync(async () => (await WelcomedAsync()).Count == 2, TimeSpan.FromSeconds(10));
        Assert.Equal(["first@example.com", "second@example.com"], await WelcomedAsync());
        await AssertEverythingSyncedOnTheLiveListAsync();
        // Only the new contact is on the new list: the first one's welcome was sent already.
        var subscribers = Assert.Single((await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray()).GetProperty("subscribers");
        Assert.Equal("second@example.com", Assert.Single(subscribers.EnumerateArray()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task The_periodic_check_finds_a_lost_list_template_and_campaign_and_queues_them_to_be_recreated()
    {
        await SubscribeAsync("first@example.com");
        await DeleteInMailWizzAsync(template: true);

        RemoteCheckResult result;
        using (var scope = Engine.Services.CreateScope())
            result = await scope.ServiceProvider.GetRequiredService<RemoteCheck>().RunAsync(CancellationToken.None);

        Assert.Equal((1, 1, 0, null), (result.ListsGone, result.TemplatesGone, result.CampaignsGone, result.Skipped)); // the campaign went with its list
        using (var scope = Engine.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var template = await db.Set<EmailTemplate>().SingleAsync();
            Assert.Equal((SyncStatus.Pending, (string?)null), (template.Sync.Status, template.Sync.RemoteUid));
            Assert.StartsWith("disappeared from MailWizz (noticed ", template.Sync.LastError);
            Assert.StartsWith("its MailWizz list disappeared", (await db.Set<Campaign>().SingleAsync()).Sync.LastError);
        }
        await Engine.SyncAllAsync();
        await SubscribeAsync("second@example.com");

        await OutageTests.WaitAsync(async () => (await WelcomedAsync()).Count == 2, TimeSpan.FromSeconds(10));
        await AssertEverythingSyncedOnTheLiveListAsync();
        var welcome = (await MailWizz.MessagesAsync()).EnumerateArray().Last();
        Assert.Equal("Bienvenue, Zoé !", welcome.GetProperty("Subject").GetString());
    }

    [Fact]
    public async Task The_check_changes_nothing_while_MailWizz_does_not_answer()
    {
        await SubscribeAsync("first@example.com");
        await MailWizz.SetFaultsAsync(new { down_for_seconds = 30 });

        RemoteCheckResult result;
        using (var scope = Engine.Services.CreateScope())
            result = await scope.ServiceProvider.GetRequiredService<RemoteCheck>().RunAsync(CancellationToken.None);

        Assert.Equal("MailWizz did not answer; nothing changed", result.Skipped);
        using var read = Engine.Services.CreateScope();
        var db = read.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.NotNull((await db.Set<TenantList>().SingleAsync()).Sync.RemoteUid);
        Assert.NotNull((await db.Set<EmailTemplate>().SingleAsync()).Sync.RemoteUid);
        Assert.NotNull((await db.Set<Campaign>().SingleAsync()).Sync.RemoteUid);
    }
}
