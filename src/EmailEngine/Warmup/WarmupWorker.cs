using EmailEngine.Accounting;
using EmailEngine.Data;
using EmailEngine.Hosting;

namespace EmailEngine.Warmup;

/// <summary>
/// Thin shell: every <c>WARMUP_CHECK_SECONDS</c> (60), once the schema is current, takes the decisions that are due.
/// State lives in the database (each IP's last decided period), so a restart neither skips nor repeats a day.
/// A day's decisions are taken on the whole day's outcomes: the accounting is pulled first, and while it cannot be
/// pulled the IPs wait at their step (never advancing on outcomes the engine has not seen).
/// </summary>
internal sealed class WarmupWorker(IServiceScopeFactory scopes, DatabaseMigrator migrator, WarmupOptions options, AcctPullRun pull,
    TimeProvider clock, ILogger<WarmupWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    private string? _lastSkip;

    protected override TimeSpan Interval => options.CheckInterval;

    protected override string RoundName => "Warmup run";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var engine = scope.ServiceProvider.GetRequiredService<WarmupEngine>();
        var skipped = await PullBeforeDecidingAsync(engine, ct) ?? (await engine.RunDueAsync(ct)).Skipped;
        if (skipped is not null && skipped != _lastSkip)
            Logger.LogInformation("Warmup run skipped: {Reason}", skipped);
        _lastSkip = skipped;
    }

    /// <summary>Null when the decisions may be taken; otherwise why they wait for the next tick.</summary>
    private async Task<string?> PullBeforeDecidingAsync(WarmupEngine engine, CancellationToken ct)
    {
        // A pull that started after the day ended (the periodic one, usually) already holds the whole day.
        if (!pull.Configured || pull.LastCompleteFrom >= options.PeriodStart(Clock.GetUtcNow()) || !await engine.DayDecisionDueAsync(ct))
            return null;
        try
        {
            return await pull.PullAsync(ct) ? null : "an accounting pull is in progress; the day's decisions wait for its outcomes";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            Logger.LogWarning("The accounting could not be pulled ({Error}); the day's warmup decisions wait for its outcomes", e.Message);
            return "the accounting could not be pulled";
        }
    }
}
