using EmailEngine.Alerts;
using EmailEngine.Data;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizzStandIn;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Alerts;

/// <summary>An engine whose three alert channels point at local stand-ins: Telegram's Bot API, a webhook receiver, an SMTP sink.</summary>
internal sealed class AlertStack : IAsyncDisposable
{
    private AlertStack(TelegramStandIn telegram, WebhookReceiver webhook, SmtpSink smtp) => (Telegram, Webhook, Smtp) = (telegram, webhook, smtp);

    public TelegramStandIn Telegram { get; }
    public WebhookReceiver Webhook { get; }
    public SmtpSink Smtp { get; }
    public EngineServer Server { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;

    /// <param name="settings">Added to (or replacing) the channel settings, e.g. an SMTP user.</param>
    public static async Task<AlertStack> StartAsync(string token, string chat, string webhookSecret, IDictionary<string, string>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var smtpPort = LoopbackPorts.Free();
        var stack = new AlertStack(await TelegramStandIn.StartAsync(token, chat), await WebhookReceiver.StartAsync(), await SmtpSink.StartAsync(smtpPort));
        var values = new Dictionary<string, string>
        {
            ["ALERT_TELEGRAM_BOT_TOKEN"] = token, ["ALERT_TELEGRAM_CHAT_ID"] = chat, ["ALERT_TELEGRAM_API"] = stack.Telegram.ApiBase,
            ["ALERT_WEBHOOK_URL"] = stack.Webhook.Url.ToString(), ["ALERT_WEBHOOK_SECRET"] = webhookSecret,
            ["ALERT_SMTP_HOST"] = "127.0.0.1", ["ALERT_SMTP_PORT"] = smtpPort.ToString(), ["ALERT_SMTP_TLS"] = "none",
            ["ALERT_SMTP_FROM"] = "engine@ops.example.fr", ["ALERT_SMTP_TO"] = "operator@ops.example.fr",
            ["ALERT_SEND_SECONDS"] = "1", ["ALERT_RETRY_SECONDS"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            values[key] = value;
        stack.Server = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: values, extraServices: services);
        stack.Client = stack.Server.Client();
        return stack;
    }

    /// <summary>Raises alerts as a sweep or a health round would, in one unit of work.</summary>
    public async Task RaiseAsync(params (string Key, AlertSeverity Severity, string Body)[] alerts)
    {
        using var scope = Server.Services.CreateScope();
        var center = scope.ServiceProvider.GetRequiredService<AlertCenter>();
        foreach (var (key, severity, body) in alerts)
            await center.RaiseAsync(key, severity, $"Alert {key}", body, CancellationToken.None);
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().SaveChangesAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Smtp.DisposeAsync();
        await Webhook.DisposeAsync();
        await Telegram.DisposeAsync();
    }
}
