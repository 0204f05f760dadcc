using EmailEngine.Hosting;
using EmailEngine.Ips;

namespace EmailEngine.PowerMta.Deploy;

/// <summary>
/// One PowerMTA host: how to reach it over SSH, where its files are, who may relay through it. The host named
/// <see cref="DefaultName"/> comes from the settings (<see cref="From"/>); the others from the registry
/// (<see cref="Hosts.RegisteredPmtaHost"/>). Keys of the default host: <c>PMTA_SSH_HOST</c>, <c>PMTA_SSH_PORT</c> (22),
/// <c>PMTA_SSH_USER</c> (root), <c>PMTA_SSH_KEY_FILE</c>, <c>PMTA_SSH_HOST_KEY</c> (pinned <c>SHA256:…</c> fingerprint,
/// as printed by <c>ssh-keygen -lf</c>), <c>PMTA_SSH_TRUST_UNKNOWN_HOST</c> (false), <c>PMTA_CONFIG_PATH</c>,
/// <c>PMTA_COMMAND</c> (pmta), <c>PMTA_DKIM_DIR</c> (/etc/pmta/dkim), <c>ACCT_REMOTE_FILE</c> (/var/log/pmta/acct.csv:
/// the live accounting file, rotated siblings <c>acct*.csv</c>, <c>acct*.csv.gz</c> are found beside it),
/// <c>PMTA_RELAY_SOURCES</c> (comma-separated MailWizz host IPs allowed to relay), <c>PMTA_MGMT_PORT</c> (1983: the
/// <c>http-mgmt-port</c> rendered for it, reached through an SSH port forward, never directly); MailWizz's delivery
/// servers connect to <c>PMTA_SSH_HOST</c>.
/// </summary>
public sealed record PmtaHostOptions
{
    /// <summary>The name of the host the settings describe; IPs without a host are on it.</summary>
    public const string DefaultName = SendingIp.DefaultHostName;

    public string Name { get; init; } = DefaultName;
    public string? Host { get; init; }
    public int Port { get; init; } = 22;
    public string User { get; init; } = "root";
    public string? KeyFile { get; init; }
    public string? HostKeyFingerprint { get; init; }
    public bool TrustUnknownHost { get; init; }
    public string ConfigPath { get; init; } = "/etc/pmta/config";
    public string PmtaCommand { get; init; } = "pmta";
    public string DkimDirectory { get; init; } = "/etc/pmta/dkim";
    public string AcctFile { get; init; } = "/var/log/pmta/acct.csv";
    public IReadOnlyList<string> RelaySources { get; init; } = [];
    /// <summary>Where MailWizz's delivery servers connect (PowerMTA's relay listener); the SSH address unless set.</summary>
    public string? SmtpHost { get; init; }
    /// <summary>PowerMTA's HTTP management port on the host's own loopback (the rendered <c>http-mgmt-port</c>).</summary>
    public int MgmtPort { get; init; } = RenderConfig.DefaultMgmtPort;
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public bool IsDefault => Name == DefaultName;

    public static PmtaHostOptions From(EngineSettings settings) => new()
    {
        Host = settings.PmtaSshHost,
        Port = settings.Whole("PMTA_SSH_PORT", 22, min: 1, max: 65535),
        User = settings.Get("PMTA_SSH_USER") ?? "root",
        KeyFile = settings.Get("PMTA_SSH_KEY_FILE"),
        HostKeyFingerprint = settings.Get("PMTA_SSH_HOST_KEY"),
        TrustUnknownHost = settings.Switch("PMTA_SSH_TRUST_UNKNOWN_HOST", false),
        ConfigPath = settings.PmtaConfigPath,
        PmtaCommand = settings.Get("PMTA_COMMAND") ?? "pmta",
        DkimDirectory = settings.Get("PMTA_DKIM_DIR") ?? "/etc/pmta/dkim",
        AcctFile = settings.Get("ACCT_REMOTE_FILE") ?? "/var/log/pmta/acct.csv",
        RelaySources = (settings.Get("PMTA_RELAY_SOURCES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        SmtpHost = settings.PmtaSshHost,
        MgmtPort = settings.Whole("PMTA_MGMT_PORT", RenderConfig.DefaultMgmtPort, min: 1, max: 65535),
    };

    /// <summary>What is missing to reach the host, by configuration key (a registered host is complete by validation).</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) missing.Add("PMTA_SSH_HOST");
        if (string.IsNullOrWhiteSpace(KeyFile)) missing.Add("PMTA_SSH_KEY_FILE");
        if (string.IsNullOrWhiteSpace(HostKeyFingerprint) && !TrustUnknownHost) missing.Add("PMTA_SSH_HOST_KEY");
        return missing;
    }

    public bool Configured => Missing().Count == 0;
}
