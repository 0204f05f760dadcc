using System.Globalization;
using EmailEngine.Deliverability;
using EmailEngine.Hosting;

namespace EmailEngine.Warmup;

/// <summary>Gate thresholds (rates are fractions: 0.02 = 2 %), pacing and scheduling of the warmup engine.</summary>
public sealed record WarmupOptions
{
    public double HardBounceRate7d { get; init; } = 0.02;
    public double ComplaintRate7d { get; init; } = 0.0003;
    public double BounceRate24h { get; init; } = 0.05;
    public double ComplaintRate24h { get; init; } = 0.001;
    /// <summary>Block bounces / sent at one ISP group over 24 h above which that group's step is held.</summary>
    public double IspBlockRate24h { get; init; } = 0.03;
    /// <summary>Deferrals / sent at one ISP group over 24 h above which that group's step is held.</summary>
    public double IspDeferralRate24h { get; init; } = 0.20;
    /// <summary>Rates over fewer messages are noise (one bounce in 5 is 20 %): gates wait for this many sent.</summary>
    public long MinSent { get; init; } = 20;
    public TimeSpan HardBouncePause { get; init; } = TimeSpan.FromHours(72);
    public TimeSpan ComplaintPause { get; init; } = TimeSpan.FromHours(96);
    public TimeSpan Quarantine { get; init; } = TimeSpan.FromDays(30);
    /// <summary>Maximum share of an IP's daily quota per ISP group (they need not add up to 1: they are caps).</summary>
    public IReadOnlyDictionary<IspGroup, double> IspShares { get; init; } = new Dictionary<IspGroup, double>
    {
        [IspGroup.Gmail] = 0.40, [IspGroup.Microsoft] = 0.30, [IspGroup.Yahoo] = 0.20,
        [IspGroup.Apple] = 0.10, [IspGroup.Orange] = 0.10, [IspGroup.Other] = 0.30,
    };
    /// <summary>UTC time of day a new warmup period (sending day) starts and decisions are taken.</summary>
    public TimeOnly RunAt { get; init; } = new(0, 0);
    public bool Worker { get; init; } = true;
    /// <summary>How often the worker looks for due decisions.</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>What an active (warm) IP adds to the pool's daily capacity: the last step of the default plan.</summary>
    public int ActiveIpDaily { get; init; } = 20_000;
    /// <summary>The share of a recipient domain's daily rate admission leaves unused (see <see cref="SendingCapacity"/>).</summary>
    public double DomainHeadroom { get; init; } = 0.2;
    /// <summary>How often waiting subscribers are let in as room opens.</summary>
    public TimeSpan AdmissionPumpInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Gmail's bulk-sender rules require complaints under 0.3 %: the gates must stop well before.</summary>
    private const double GmailComplaintCeiling = 0.003;

    /// <summary>When the period <paramref name="now"/> falls in began.</summary>
    public DateTimeOffset PeriodStart(DateTimeOffset now) => new(PeriodOf(now).ToDateTime(RunAt), TimeSpan.Zero);

    /// <summary>The period (sending day) <paramref name="now"/> falls in: the date of the last <see cref="RunAt"/> boundary.</summary>
    public DateOnly PeriodOf(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        var date = DateOnly.FromDateTime(utc);
        return TimeOnly.FromDateTime(utc) >= RunAt ? date : date.AddDays(-1);
    }

    public static WarmupOptions From(EngineSettings settings)
    {
        var defaults = new WarmupOptions();
        var options = defaults with
        {
            HardBounceRate7d = Rate(settings, "WARMUP_HARD_BOUNCE_RATE_7D", defaults.HardBounceRate7d),
            ComplaintRate7d = Rate(settings, "WARMUP_COMPLAINT_RATE_7D", defaults.ComplaintRate7d),
            BounceRate24h = Rate(settings, "WARMUP_BOUNCE_RATE_24H", defaults.BounceRate24h),
            ComplaintRate24h = Rate(settings, "WARMUP_COMPLAINT_RATE_24H", defaults.ComplaintRate24h),
            IspBlockRate24h = Rate(settings, "WARMUP_ISP_BLOCK_RATE_24H", defaults.IspBlockRate24h),
            IspDeferralRate24h = Rate(settings, "WARMUP_ISP_DEFERRAL_RATE_24H", defaults.IspDeferralRate24h),
            MinSent = settings.Whole("WARMUP_MIN_SENT", (int)defaults.MinSent, min: 0),
            HardBouncePause = TimeSpan.FromHours(settings.Whole("WARMUP_HARD_BOUNCE_PAUSE_HOURS", 72, min: 1)),
            ComplaintPause = TimeSpan.FromHours(settings.Whole("WARMUP_COMPLAINT_PAUSE_HOURS", 96, min: 1)),
            Quarantine = TimeSpan.FromDays(settings.Whole("WARMUP_QUARANTINE_DAYS", 30, min: 1)),
            IspShares = Shares(settings.Get("WARMUP_ISP_SHARES"), defaults.IspShares),
            RunAt = settings.Get("WARMUP_RUN_AT") is { } at
                ? TimeOnly.TryParseExact(at, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ? time
                    : throw new ConfigurationError("WARMUP_RUN_AT", "expected HH:mm (UTC)")
                : defaults.RunAt,
            Worker = settings.Switch("WARMUP_WORKER", true),
            CheckInterval = TimeSpan.FromSeconds(settings.Whole("WARMUP_CHECK_SECONDS", 60, min: 1)),
            ActiveIpDaily = settings.Whole("SENDING_ACTIVE_IP_DAILY", defaults.ActiveIpDaily, min: 1),
            AdmissionPumpInterval = TimeSpan.FromSeconds(settings.Whole("ADMISSION_PUMP_SECONDS", 60, min: 1)),
            DomainHeadroom = Rate(settings, "SENDING_DOMAIN_HEADROOM", defaults.DomainHeadroom, zeroAllowed: true),
        };
        foreach (var (key, value) in new[] { ("WARMUP_COMPLAINT_RATE_24H", options.ComplaintRate24h), ("WARMUP_COMPLAINT_RATE_7D", options.ComplaintRate7d) })
            if (value >= GmailComplaintCeiling)
                throw new ConfigurationError(key, "must stay below 0.003 (Gmail's 0.3 % complaint ceiling for bulk senders)");
        return options;
    }

    private static double Rate(EngineSettings settings, string key, double fallback, bool zeroAllowed = false) => settings.Get(key) is not { } text
        ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value < 1 && (value > 0 || zeroAllowed && value == 0) ? value
        : throw new ConfigurationError(key, $"expected a fraction {(zeroAllowed ? "from 0 to below 1" : "between 0 and 1")} (0.02 = 2 %)");

    /// <summary><c>gmail=0.4,microsoft=0.3,…</c>; groups not named keep their default share.</summary>
    private static Dictionary<IspGroup, double> Shares(string? text, IReadOnlyDictionary<IspGroup, double> defaults)
    {
        var shares = defaults.ToDictionary();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !Enum.TryParse<IspGroup>(parts[0], ignoreCase: true, out var group) || !Enum.IsDefined(group)
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || share is <= 0 or > 1)
                throw new ConfigurationError("WARMUP_ISP_SHARES",
                    $"expected group=fraction pairs such as gmail=0.4,microsoft=0.3 (groups: {string.Join(", ", IspGroups.All.Select(g => g.Name()))})");
            shares[group] = share;
        }
        return shares;
    }
}
