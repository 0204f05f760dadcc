using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Alerts;
using EmailEngine.Data;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizzStandIn;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Alerts;

/// <summary>
/// A channel that fails in a way nobody planned for (here MailKit's own exception: a user is set but the relay offers
/// no AUTH) is that channel's failure only: the others take the message once, and the error is recorded.
/// </summary>
public sealed class AlertChannelFailureTests : IAsyncLifetime
{
    private const string Token = "654321:AAF-another-secret-token", Chat = "4242";
    private AlertStack _stack = null!;

    public async Task InitializeAsync() => _stack = await AlertStack.StartAsync(Token, Chat, "whsec_isolation", new Dictionary<string, string>
    {
        ["ALERT_SMTP_USER"] = "ops", ["ALERT_SMTP_PASSWORD"] = "smtp-password-never-shown",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_channel_throwing_its_own_exception_does_not_keep_the_message_from_the_others_nor_send_it_twice()
    {
        using (var scope = _stack.Server.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AlertCenter>().RaiseAsync("health:outbox", AlertSeverity.Critical, "Outbox stuck", "3 pushes failed", CancellationToken.None);
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
        }

        JsonElement notification = default;
        await Poll.UntilAsync(async () =>
        {
            var alerts = await _stack.Client.GetFromJsonAsync<JsonElement>("/api/v1/alerts");
            notification = alerts.GetProperty("items")[0].GetProperty("notifications")[0];
            return notification.GetProperty("delivered_to").GetArrayLength() == 2 && notification.GetProperty("last_error").ValueKind == JsonValueKind.String;
        }, TimeSpan.FromSeconds(20), "telegram and webhook recorded, the e-mail error too");
        // Two more rounds, the failed channel's retry made due at once: what was taken is not sent again.
        for (var round = 0; round < 2; round++)
        {
            var attempts = await AttemptsAsync();
            using var scope = _stack.Server.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<AlertNotification>().Where(n => n.SentAt == null)
                .ExecuteUpdateAsync(n => n.SetProperty(x => x.NextAttemptAt, DateTimeOffset.UtcNow.AddMinutes(-1)));
            await scope.ServiceProvider.GetRequiredService<AlertSender>().SendDueAsync(CancellationToken.None); // or the worker's round, holding the lock
            await Poll.UntilAsync(async () => await AttemptsAsync() > attempts, TimeSpan.FromSeconds(10), "a round that tries the e-mail again");
        }

        Assert.Equal(["telegram", "webhook"], notification.GetProperty("delivered_to").EnumerateArray().Select(c => c.GetString()).Order());
        var error = notification.GetProperty("last_error").GetString()!;
        Assert.Contains("offers no authentication", error);
        Assert.DoesNotContain("smtp-password-never-shown", error);
        Assert.Single(_stack.Telegram.Received);
        Assert.Single(_stack.Webhook.Accepted);
        Assert.Empty(_stack.Smtp.Received);
    }

    private async Task<int> AttemptsAsync()
    {
        using var scope = _stack.Server.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<AlertNotification>().SumAsync(n => n.Attempts);
    }

    [Fact]
    public async Task The_test_endpoint_reports_such_a_channel_as_failed_next_to_the_ones_that_took_it()
    {
        var response = await (await _stack.Client.PostAsync("/api/v1/alerts/test", null)).Content.ReadFromJsonAsync<JsonElement>();

        var results = response.GetProperty("channels").EnumerateArray().ToDictionary(c => c.GetProperty("channel").GetString()!);
        Assert.True(results["telegram"].GetProperty("ok").GetBoolean());
        Assert.True(results["webhook"].GetProperty("ok").GetBoolean());
        Assert.False(results["email"].GetProperty("ok").GetBoolean());
        Assert.Contains("ALERT_SMTP_USER", results["email"].GetProperty("error").GetString());
    }
}
