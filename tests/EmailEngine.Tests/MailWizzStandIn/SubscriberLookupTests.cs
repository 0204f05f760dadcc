using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>
/// A list finds its subscribers by address (any case) and by uid through indexes it keeps: an update that changes the
/// address, a deletion and a new subscribe each leave them answering what a scan of the list would, and an unsubscribe
/// from all lists reaches the address in each list.
/// </summary>
public sealed class SubscriberLookupTests
{
    [Fact]
    public async Task Search_by_email_follows_an_address_change_a_deletion_and_a_new_subscribe()
    {
        await using var mailWizz = await MailWizzStandInServer.StartAsync();
        using var api = new StandInApi(mailWizz.Root, MailWizzStandInServer.ApiKey);
        using var http = new HttpClient { BaseAddress = mailWizz.Root };
        http.DefaultRequestHeaders.Add("X-API-KEY", MailWizzStandInServer.ApiKey);
        var list = await api.CreateListAsync("lookup", "news@acme.test");
        var first = await api.SubscribeAsync(list, "first@example.test");
        var other = await api.SubscribeAsync(list, "other@example.test");

        async Task<string?> FoundAsync(string email)
        {
            using var response = await http.GetAsync($"/api/lists/{list}/subscribers/search-by-email?EMAIL={Uri.EscapeDataString(email)}");
            return response.StatusCode == HttpStatusCode.NotFound
                ? null
                : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("subscriber_uid").GetString();
        }
        async Task<HttpStatusCode> PutEmailAsync(string uid, string email)
        {
            using var response = await http.PutAsync($"/api/lists/{list}/subscribers/{uid}", new FormUrlEncodedContent(new Dictionary<string, string> { ["EMAIL"] = email }));
            return response.StatusCode;
        }

        Assert.Equal(first, await FoundAsync("FIRST@Example.test"));

        Assert.Equal(HttpStatusCode.OK, await PutEmailAsync(first, "renamed@example.test"));
        Assert.Null(await FoundAsync("first@example.test"));
        Assert.Equal(first, await FoundAsync("renamed@example.test"));
        Assert.Equal(other, await FoundAsync("other@example.test"));
        // The new address is taken, the old one free again.
        Assert.Equal(HttpStatusCode.Conflict, await PutEmailAsync(other, "Renamed@example.test"));
        Assert.Equal(other, await FoundAsync("other@example.test"));
        var again = await api.SubscribeAsync(list, "first@example.test");
        Assert.NotEqual(first, again);

        using (var deleted = await http.DeleteAsync($"/api/lists/{list}/subscribers/{first}"))
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Null(await FoundAsync("renamed@example.test"));
        Assert.Equal(again, await FoundAsync("first@example.test"));
        using (var missing = await http.GetAsync($"/api/lists/{list}/subscribers/{first}"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var state = await mailWizz.StateAsync();
        Assert.Equal(["first@example.test", "other@example.test"],
            state.GetProperty("lists")[0].GetProperty("subscribers").EnumerateArray().Select(s => s.GetProperty("email").GetString()).Order());

        var second = await api.CreateListAsync("second", "news@acme.test");
        await api.SubscribeAsync(second, "other@example.test");
        using (var everywhere = await http.PutAsync("/api/lists/subscribers/unsubscribe-by-email-from-all-lists",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["EMAIL"] = "OTHER@example.test" })))
            Assert.Equal(HttpStatusCode.OK, everywhere.StatusCode);
        var statuses = (await mailWizz.StateAsync()).GetProperty("lists").EnumerateArray()
            .SelectMany(l => l.GetProperty("subscribers").EnumerateArray().Select(s => $"{l.GetProperty("name").GetString()} {s.GetProperty("email").GetString()} {s.GetProperty("status").GetString()}"))
            .Order();
        Assert.Equal(["lookup first@example.test confirmed", "lookup other@example.test unsubscribed", "second other@example.test unsubscribed"], statuses);
    }
}
