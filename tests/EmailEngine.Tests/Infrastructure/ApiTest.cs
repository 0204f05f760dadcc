namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A fresh engine on PostgreSQL per test with the outbox worker off, so tests see exactly what a request wrote
/// (including the queued pushes) before anything is pushed.
/// </summary>
public abstract class ApiTest : IAsyncLifetime
{
    protected EngineServer Server { get; private set; } = null!;
    protected HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        Client = Server.Client();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
