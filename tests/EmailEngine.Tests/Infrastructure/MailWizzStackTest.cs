namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// A test class on <see cref="EngineWithMailWizz"/>: one stack per test, started with <see cref="Settings"/> (or by the
/// test itself, when a class overrides <see cref="InitializeAsync"/> to start each test with its own settings).
/// </summary>
public abstract class MailWizzStackTest : IAsyncLifetime
{
    private EngineWithMailWizz? _stack;

    protected EngineWithMailWizz Stack => _stack ?? throw new InvalidOperationException("the stack is not started");
    protected MailWizzStandInServer MailWizz => Stack.MailWizz;
    protected EngineServer Engine => Stack.Engine;
    protected HttpClient Client => Stack.Client;

    /// <summary>Engine settings over the stand-in's and <c>OUTBOX_WORKER=off</c>.</summary>
    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    public virtual Task InitializeAsync() => StartAsync(Settings);

    protected async Task StartAsync(IReadOnlyDictionary<string, string>? settings) => _stack = await EngineWithMailWizz.StartAsync(settings);

    public virtual async Task DisposeAsync()
    {
        if (_stack is not null)
            await _stack.DisposeAsync();
    }
}
