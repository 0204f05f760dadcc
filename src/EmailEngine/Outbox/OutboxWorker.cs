using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Outbox;

/// <summary>
/// Thin shell: once the schema is current, releases what a stopped engine left claimed (SQLite), then drains the outbox
/// every <c>OUTBOX_POLL_MS</c>.
/// </summary>
internal sealed class OutboxWorker(OutboxDispatcher dispatcher, DatabaseMigrator migrator, OutboxOptions options,
    TimeProvider clock, ILogger<OutboxWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.PollInterval;

    protected override string RoundName => "Outbox dispatch";

    private bool _started;

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        if (!_started)
            await dispatcher.ReleaseClaimsOfStoppedProcessAsync(ct);
        _started = true;
        await dispatcher.DrainAsync(ct);
    }
}
