using EmailEngine.Hosting;

namespace EmailEngine.Accounting;

/// <summary>
/// Accounting ingest settings. Keys: <c>ACCT_BATCH_SIZE</c> (5000 records per transaction);
/// <c>ACCT_PULL_INTERVAL_SECONDS</c> (300, 0 = no background pull; a round pulls every PowerMTA host that is
/// configured, each from its own accounting file: <see cref="PowerMta.Deploy.PmtaHostOptions.AcctFile"/>). The soft-bounce
/// keys are read by <see cref="Deliverability.SoftBounceRule"/>.
/// </summary>
public sealed record AcctOptions
{
    public int BatchSize { get; init; } = 5000;
    public TimeSpan PullInterval { get; init; } = TimeSpan.FromMinutes(5);

    public static AcctOptions From(EngineSettings settings)
    {
        var defaults = new AcctOptions();
        return defaults with
        {
            BatchSize = settings.Whole("ACCT_BATCH_SIZE", defaults.BatchSize, min: 1),
            PullInterval = TimeSpan.FromSeconds(settings.Whole("ACCT_PULL_INTERVAL_SECONDS", (int)defaults.PullInterval.TotalSeconds, min: 0)),
        };
    }
}
