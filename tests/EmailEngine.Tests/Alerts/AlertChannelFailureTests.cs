using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Alerts;
using EmailEngine.Data;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizzStandIn;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Alerts;

/// <summary>
/// A channel that fails in a way nobody planned for (here MailKit's own exception: a user is set but the relay offers
/// no AUTH) is that channel's failure only: the others take the message once, and the error is recorded.
/// </summary>
public sealed class AlertChannelFailureTests : IAsyncLifetime
{
    private const string Token = "654321:AAF-another-secret-token", Chat = "4242";
    private TelegramStandIn _telegram = null!;
    private WebhookReceiver _webhook = null!;
    private SmtpSink _smtp = null!;
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _telegram = await TelegramStandIn.StartAsync(Token, Chat);
        _webhook = await WebhookReceiver.StartAsync();
        var smtpPort = LoopbackPorts.Free();
        _smtp = await SmtpSink.StartAsync(smtpPort);
        _server = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string>
        {
            ["ALERT_TELEGRAM_BOT_TOKEN"] = Token, ["ALERT_TELEGRAM_CHAT_ID"] = Chat, ["ALERT_TELEGRAM_API"] = _telegram.ApiBase,
            ["ALERT_WEBHOOK_URL"] = _webhook.Url.ToString(), ["ALERT_WEBHOOK_SECRET"] = "whsec_isolation",
            ["ALERT_SMTP_HOST"] = "127.0.0.1", ["ALERT_SMTP_PORT"] = smtpPort.ToString(), ["ALERT_SMTP_TLS"] = "none",
            ["ALERT_SMTP_USER"] = "ops", ["ALERT_SMTP_PASSWORD"] = "smtp-password-never-shown",
            ["ALERT_SMTP_FROM"] = "engine@ops.example.fr", ["ALERT_SMTP_TO"] = "operator@ops.example.fr",
            ["ALERT_SEND_SECONDS"] = "1", ["ALERT_RETRY_SECONDS"] = "1",
        });
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
        await _smtp.DisposeAsync();
        await _webhook.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    [Fact]
    public async Task A_channel_throwing_its_own_exception_does_not_keep_the_message_from_the_others_nor_send_it_twice()
    {
        using (var scope = _server.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AlertCenter>().RaiseAsync("health:outbox", AlertSeverity.Critical, "Outbox stuck", "3 pushes failed", CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        }

        JsonElement notification = default;
        await Poll.UntilAsync(async () =>
        {
            var alerts = await _client.GetFromJsonAsync<JsonElement>("/api/v1/alerts");
            notification = alerts.GetProperty("items")[0].GetProperty("notifications")[0];
            return notification.GetProperty("delivered_to").GetArrayLength() == 2 && notification.GetProperty("last_error").ValueKind == JsonValueKind.String;
        }, TimeSpan.FromSeconds(20), "telegram and webhook recorded, the e-mail error too");
        await Task.Delay(2500); // more rounds pass: what was taken is not sent again

        Assert.Equal(["telegram", "webhook"], notification.GetProperty("delivered_to").EnumerateArray().Select(c => c.GetString()).Order());
        var error = notification.GetProperty("last_error").GetString()!;
        Assert.Contains("offers no authentication", error);
        Assert.DoesNotContain("smtp-password-never-shown", error);
        Assert.Single(_telegram.Received);
        Assert.Single(_webhook.Accepted);
        Assert.Empty(_smtp.Received);
    }

    [Fact]
    public async Task The_test_endpoint_reports_such_a_channel_as_failed_next_to_the_ones_that_took_it()
    {
        var response = await (await _client.PostAsync("/api/v1/alerts/test", null)).Content.ReadFromJsonAsync<JsonElement>();

        var results = response.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        Assert.True(results["telegram"].GetProperty("ok").GetBoolean());
        Assert.True(results["webhook"].GetProperty("ok").GetBoolean());
        Assert.False(results["email"].GetProperty("ok").GetBoolean());
        Assert.Contains("ALERT_SMTP_USER", results["email"].GetProperty("error").GetString());
    }
}
