using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Accounting;
using EmailEngine.Tests.Infrastructure;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Deliverability;

/// <summary>A hard bounce and a complaint in the accounting file unsubscribe the subscribers in the MailWizz stand-in, over HTTP.</summary>
public sealed class BounceSuppressionMailWizzTests : MailWizzStackTest
{
    private async Task<Dictionary<string, string>> StatusesAsync() =>
        (await MailWizz.StateAsync()).GetProperty("lists").EnumerateArray().SelectMany(l => l.GetProperty("subscribers").EnumerateArray())
            .ToDictionary(s => s.GetProperty("email").GetString()!, s => s.GetProperty("status").GetString()!);

    [Fact]
    public async Task Hard_bounce_and_complaint_unsubscribe_in_MailWizz_and_a_later_intake_is_refused()
    {
        foreach (var email in new[] { "gone@gmail.com", "angry@hotmail.fr", "happy@orange.fr" })
            (await Client.PostAsJsonAsync("/api/v2/contacts", new { email, tenant = "client-1", language = "fr" })).EnsureSuccessStatusCode();
        await Engine.SyncAllAsync();
        Assert.All((await StatusesAsync()).Values, status => Assert.Equal("confirmed", status));

        // No tenant header: the recipients are found among the tenant's contacts.
        await UploadAsync(Client, Header
            + Line("b", "2026-11-25 10:00:00+0000", "gone@gmail.com", tenant: "", status: "5.1.1", diag: "smtp;550 5.1.1 user unknown", category: "bad-mailbox")
            + Line("f", "2026-11-25 10:05:00+0000", "angry@hotmail.fr", tenant: "")
            + Line("d", "2026-11-25 10:06:00+0000", "happy@orange.fr", tenant: ""));
        await Engine.SyncAllAsync();

        Assert.Equal(new Dictionary<string, string> { ["gone@gmail.com"] = "unsubscribed", ["angry@hotmail.fr"] = "unsubscribed", ["happy@orange.fr"] = "confirmed" },
            await StatusesAsync());
        var again = await Client.PostAsJsonAsync("/api/v2/contacts", new { email = "gone@gmail.com", tenant = "client-1", language = "fr" });
        var body = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("suppressed", body.GetProperty("status").GetString());
    }
}
