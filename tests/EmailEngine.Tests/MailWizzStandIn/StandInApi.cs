using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EmailEngine.Tests.MailWizzStandIn;

/// <summary>The few MailWizz API calls the relay tests need, as a MailWizz client would make them.</summary>
public sealed class StandInApi(Uri root, string apiKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = root };

    public async Task<string> CreateListAsync(string name, string fromEmail) =>
        (await PostAsync("/api/lists", new()
        {
            ["general[name]"] = name, ["general[description]"] = "relay test", ["defaults[from_name]"] = "Sender",
            ["defaults[from_email]"] = fromEmail, ["defaults[reply_to]"] = fromEmail,
        })).GetProperty("list_uid").GetString()!;

    /// <summary>An AFTER-SUBSCRIBE autoresponder (delay in minutes) or, with <paramref name="sendAt"/>, a regular campaign.</summary>
    public async Task<string> CreateCampaignAsync(string listUid, string fromEmail, int delayMinutes = 0, DateTime? sendAt = null,
        string? deliveryServers = null)
    {
        var template = (await PostAsync("/api/templates", new()
        {
            ["template[name]"] = "welcome", ["template[content]"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("<p>Hello [FNAME]</p>")),
        })).GetProperty("template_uid").GetString()!;
        var fields = new Dictionary<string, string>
        {
            ["campaign[name]"] = "c", ["campaign[from_name]"] = "Sender", ["campaign[from_email]"] = fromEmail, ["campaign[subject]"] = "Hi [FNAME]",
            ["campaign[reply_to]"] = fromEmail, ["campaign[to_name]"] = "[EMAIL]", ["campaign[list_uid]"] = listUid,
            ["campaign[template][template_uid]"] = template,
            ["campaign[send_at]"] = (sendAt ?? DateTime.UtcNow).ToString("yyyy-MM-dd HH:mm:ss"),
            ["campaign[type]"] = sendAt is null ? "autoresponder" : "regular",
        };
        if (deliveryServers is not null)
            fields["campaign[delivery_servers]"] = deliveryServers;
        if (sendAt is null)
        {
            fields["campaign[options][autoresponder_event]"] = "AFTER-SUBSCRIBE";
            fields["campaign[options][autoresponder_time_unit]"] = "minute";
            fields["campaign[options][autoresponder_time_value]"] = delayMinutes.ToString();
        }
        return (await PostAsync("/api/campaigns", fields)).GetProperty("campaign_uid").GetString()!;
    }

    public async Task<string> SubscribeAsync(string listUid, string email) =>
        (await PostAsync($"/api/lists/{listUid}/subscribers", new() { ["EMAIL"] = email, ["FNAME"] = email.Split('@')[0] }))
            .GetProperty("data").GetProperty("record").GetProperty("subscriber_uid").GetString()!;

    public async Task<JsonElement> MessagesAsync() => await _http.GetFromJsonAsync<JsonElement>("/_standin/messages");

    public async Task<JsonElement> OutboxAsync() => await _http.GetFromJsonAsync<JsonElement>("/_standin/outbox");

    public async Task<string> CampaignStatusAsync(string campaignUid)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/campaigns/{campaignUid}");
        request.Headers.Add("X-API-KEY", apiKey);
        using var response = await _http.SendAsync(request);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("record").GetProperty("status").GetString()!;
    }

    private async Task<JsonElement> PostAsync(string path, Dictionary<string, string> form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Add("X-API-KEY", apiKey);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    public void Dispose() => _http.Dispose();
}
