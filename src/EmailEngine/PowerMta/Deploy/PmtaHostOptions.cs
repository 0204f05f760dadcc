using EmailEngine.Hosting;

namespace EmailEngine.PowerMta.Deploy;

/// <summary>
/// How to reach the PowerMTA host over SSH. Keys: <c>PMTA_SSH_HOST</c>, <c>PMTA_SSH_PORT</c> (22), <c>PMTA_SSH_USER</c>
/// (root), <c>PMTA_SSH_KEY_FILE</c>, <c>PMTA_SSH_HOST_KEY</c> (pinned <c>SHA256:…</c> fingerprint, as printed by
/// <c>ssh-keygen -lf</c>), <c>PMTA_SSH_TRUST_UNKNOWN_HOST</c> (false), <c>PMTA_CONFIG_PATH</c>, <c>PMTA_COMMAND</c>
/// (pmta), <c>PMTA_DKIM_DIR</c> (/etc/pmta/dkim).
/// </summary>
public sealed record PmtaHostOptions
{
    public string? Host { get; init; }
    public int Port { get; init; } = 22;
    public string User { get; init; } = "root";
    public string? KeyFile { get; init; }
    public string? HostKeyFingerprint { get; init; }
    public bool TrustUnknownHost { get; init; }
    public string ConfigPath { get; init; } = "/etc/pmta/config";
    public string PmtaCommand { get; init; } = "pmta";
    public string DkimDirectory { get; init; } = "/etc/pmta/dkim";
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);

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
    };

    /// <summary>What is missing to deploy, by configuration key.</summary>
    public IReadOnlyList<string> Missing()
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(Host)) missing.Add("PMTA_SSH_HOST");
        if (string.IsNullOrWhiteSpace(KeyFile)) missing.Add("PMTA_SSH_KEY_FILE");
        if (string.IsNullOrWhiteSpace(HostKeyFingerprint) && !TrustUnknownHost) missing.Add("PMTA_SSH_HOST_KEY");
        return missing;
    }
}
