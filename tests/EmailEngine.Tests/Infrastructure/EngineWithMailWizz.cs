namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// The engine on PostgreSQL pushing to a MailWizz stand-in over HTTP, its outbox worker off so a test drains it when it
/// chooses (<see cref="EngineServer.SyncAllAsync"/>): the set-up of most MailWizz-facing test classes.
/// </summary>
public sealed class EngineWithMailWizz : IAsyncDisposable
{
    private EngineWithMailWizz(MailWizzStandInServer mailwizz, EngineServer engine) =>
        (MailWizz, Engine, Client) = (mailwizz, engine, engine.Client());

    public MailWizzStandInServer MailWizz { get; }
    public EngineServer Engine { get; }
    public HttpClient Client { get; }

    /// <param name="settings">More engine settings, over the stand-in's and <c>OUTBOX_WORKER=off</c>.</param>
    public static async Task<EngineWithMailWizz> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var mailwizz = await MailWizzStandInServer.StartAsync();
        var values = mailwizz.EngineSettings();
        values["OUTBOX_WORKER"] = "off";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            values[key] = value;
        return new EngineWithMailWizz(mailwizz, await EngineServer.StartAsync(Provider.Postgres, extraSettings: values));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Engine.DisposeAsync();
        await MailWizz.DisposeAsync();
    }
}
