namespace EmailEngine.Simulation;

/// <summary>What <c>email-engine simulate</c> runs: how long, how big, how fast, and which provider behaviour.</summary>
public sealed record SimulationOptions
{
    public int Days { get; init; } = 70;
    public int Ips { get; init; } = 5;
    public int Tenants { get; init; } = 2;
    /// <summary>PowerMTA hosts the IPs are spread over (in blocks: the first IPs on the first host).</summary>
    public int Hosts { get; init; } = 1;
    public int ContactsPerDay { get; init; } = 100;
    /// <summary>A scenario file (provider behaviour for the PowerMTA stand-in, plus events); null = the shipped clean one.</summary>
    public string? Scenario { get; init; }
    /// <summary>Real seconds one virtual day takes.</summary>
    public double SecondsPerDay { get; init; } = 8;
    /// <summary>
    /// Real seconds the stack has to come up and be set up before day 1 starts, whatever the speed: the clock is anchored
    /// before the processes start, so this cannot be measured, only allowed. Null: <see cref="SetupAllowance"/>'s default.
    /// </summary>
    public double? SetupSeconds { get; init; }

    /// <summary>
    /// The setup allowance: measured 7–9 s on an idle 2-core machine for 1 to 20 IPs on one host, 12 s for 4 IPs on two
    /// hosts with MailWizz's database (each IP's registration makes its domain's DKIM key); so 14 s, plus half a second
    /// per IP and 2 s per extra host.
    /// </summary>
    public double SetupAllowance => SetupSeconds ?? 14 + 0.5 * Ips + 2 * (Hosts - 1);
    /// <summary>Daily quotas of a custom plan (short runs); null = the default preset.</summary>
    public IReadOnlyList<int>? Plan { get; init; }
    /// <summary>SIGKILL each of the three processes once mid-run (engine, MailWizz, PowerMTA), then restart it.</summary>
    public bool KillEach { get; init; }
    /// <summary>SIGKILL the last PowerMTA host's daemon once mid-run (half-way, at 16:00), then restart it.</summary>
    public bool RestartHost { get; init; }
    /// <summary>The sending day on which each tenant sends a regular campaign to its whole list (at 10:00); null = none.</summary>
    public int? CampaignDay { get; init; }
    public string OutputDirectory { get; init; } = "";
    public int Seed { get; init; } = 1;
    /// <summary>Extra engine settings (<c>--set WARMUP_MIN_SENT=5</c>), over the simulation's own.</summary>
    public IReadOnlyDictionary<string, string> EngineSettings { get; init; } = new Dictionary<string, string>();
    /// <summary>MailWizz's database (<c>mysql://…</c>, holding its delivery-server tables) for the servers' rows; null = no quotas upstream.</summary>
    public string? MailWizzDb { get; init; }

    public double Speed => 86_400 / SecondsPerDay;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Days is < 1 or > 400) problems.Add("--days: 1 to 400");
        if (Ips is < 1 or > 50) problems.Add("--ips: 1 to 50");
        if (Tenants is < 1 or > 20) problems.Add("--tenants: 1 to 20");
        if (Hosts < 1 || Hosts > Math.Min(5, Ips)) problems.Add("--hosts: 1 to 5, and at most one per IP");
        if (ContactsPerDay is < 0 or > 100_000) problems.Add("--contacts-per-day: 0 to 100,000");
        if (SecondsPerDay is < 1 or > 3_600) problems.Add("--seconds-per-day: 1 to 3,600");
        if (SetupSeconds is < 5 or > 600) problems.Add("--setup-seconds: 5 to 600");
        if (CampaignDay is { } campaignDay && (campaignDay < 1 || campaignDay > Days)) problems.Add("--campaign-day: a sending day of the run, 1 to --days");
        if (Scenario is not null && !File.Exists(Scenario)) problems.Add($"--scenario: {Scenario} does not exist");
        if (EngineSettings.Keys.FirstOrDefault(k => k.Length == 0 || !k.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_')) is { } bad)
            problems.Add($"--set: '{bad}' is not a setting name (KEY=VALUE, upper case)");
        if (MailWizzDb is not null)
        {
            try
            {
                MailWizz.DeliveryServers.DeliveryServerOptions.ParseUrl(MailWizzDb);
            }
            catch (Hosting.ConfigurationError)
            {
                problems.Add("--mailwizz-db: expected mysql://user:pass@host:port/database");
            }
        }
        if (Plan is { } plan && (plan.Count == 0 || plan.Any(q => q < 1) || plan.Zip(plan.Skip(1)).Any(p => p.Second < p.First)))
            problems.Add("--plan: positive daily quotas that never decrease, e.g. 5,10,20");
        return problems;
    }
}
