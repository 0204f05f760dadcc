using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// Contacts that arrive together are subscribed together: their pushes are claimed as one group and the new subscribers
/// go in as few bulk calls as <c>MAILWIZZ_BULK_MAX</c> allows (one by default), each still subscribed once, with its own result
/// and timeline.
/// </summary>
public class GroupedSubscribeTests : MailWizzStackTest
{
    /// <summary>How many bulk calls the forty contacts take.</summary>
    protected virtual int BulkCalls => 1;

    private async Task PostAsync(string email) =>
        (await Client.PostAsJsonAsync("/api/v2/contacts", new { email, tenant = "client-1", language = "fr", first_name = "Zoé", company = "Acme" }))
        .EnsureSuccessStatusCode();

    private async Task<List<string>> CallsAsync() => (await MailWizz.RequestsAsync()).EnumerateArray()
        .Select(r => $"{r.GetProperty("Method").GetString()} {r.GetProperty("Path").GetString()}").ToList();

    [Fact]
    public async Task Forty_contacts_posted_together_take_as_few_bulk_calls_as_allowed_and_each_is_subscribed_once()
    {
        // The list and its autoresponder exist (the first contact), as on any day but the first.
        await PostAsync("first@example.com");
        await Engine.SyncAllAsync();
        // One of the forty is already on the list (added by an attempt whose answer was lost): it is updated, not added twice.
        var list = Assert.Single((await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray()).GetProperty("uid").GetString();
        using (var api = new HttpClient())
        {
            api.DefaultRequestHeaders.Add("X-API-KEY", MailWizzStandInServer.ApiKey);
            (await api.PostAsync($"{MailWizz.ApiUrl}/lists/{list}/subscribers",
                new FormUrlEncodedContent([new("EMAIL", "c07@example.com"), new("FNAME", "Old")]))).EnsureSuccessStatusCode();
        }
        var before = (await CallsAsync()).Count;
        var emails = Enumerable.Range(0, 40).Select(i => $"c{i:00}@example.com").ToList();
        foreach (var email in emails)
            await PostAsync(email);

        await Engine.SyncAllAsync();

        var calls = (await CallsAsync()).Skip(before).ToList();
        Assert.Equal(BulkCalls, calls.Count(c => c.EndsWith("/subscribers/bulk", StringComparison.Ordinal)));
        Assert.DoesNotContain(calls, c => c == $"POST /api/lists/{list}/subscribers");
        Assert.DoesNotContain(calls, c => c.EndsWith("/fields", StringComparison.Ordinal)); // ensured with the first contact
        var subscribers = Assert.Single((await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray()).GetProperty("subscribers")
            .EnumerateArray().ToList();
        Assert.Equal(41, subscribers.Count);
        Assert.Equal(41, subscribers.Select(s => s.GetProperty("email").GetString()).Distinct().Count());
        Assert.Equal("Zoé", subscribers.Single(s => s.GetProperty("email").GetString() == "c07@example.com").GetProperty("fields").GetProperty("FNAME").GetString());

        using var scope = Engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var contacts = await db.Set<Contact>().ToListAsync();
        Assert.All(contacts, c => Assert.Equal((SyncStatus.Synced, true), (c.Sync.Status, c.Sync.RemoteUid is not null)));
        Assert.Equal(41, await db.Set<ContactEvent>().CountAsync(e => e.Type == "pushed"));
        Assert.Empty(await db.Set<OutboxMessage>().Where(m => m.Status != OutboxStatus.Done || m.Attempts > 1).ToListAsync());
        // Each new subscriber fired its welcome once; the one already on the list did not get a second.
        await OutageTests.WaitAsync(async () => (await MailWizz.MessagesAsync()).GetArrayLength() >= 41, TimeSpan.FromSeconds(10));
        var welcomed = (await MailWizz.MessagesAsync()).EnumerateArray().Select(m => m.GetProperty("To").GetString()).ToList();
        Assert.Equal(welcomed.Count, welcomed.Distinct().Count());
        Assert.Equal(41, welcomed.Count);
    }
}

/// <summary>A MailWizz that takes at most 15 rows per call (<c>MAILWIZZ_BULK_MAX</c>): the same forty in 15 + 15 + 10.</summary>
public sealed class GroupedSubscribeInSmallerBulkCallsTests : GroupedSubscribeTests
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["MAILWIZZ_BULK_MAX"] = "15" };

    protected override int BulkCalls => 3;
}
