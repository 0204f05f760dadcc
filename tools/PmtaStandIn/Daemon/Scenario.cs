using System.Text.Json;
using System.Text.Json.Serialization;

namespace PmtaStandIn.Daemon;

/// <summary>Probabilities (0–1) of each outcome per delivery attempt, and the provider's hourly acceptance limit per source IP.</summary>
public sealed class ProviderProfile
{
    public double? HardBounce { get; init; }
    public double? SoftBounce { get; init; }
    public double? Block { get; init; }
    public double? Deferral { get; init; }
    public double? Complaint { get; init; }
    public string? ComplaintDelay { get; init; }
    public int? MaxPerHourPerIp { get; init; }

    /// <summary>This profile with every value <paramref name="over"/> sets replacing it.</summary>
    public ProviderProfile With(ProviderProfile? over) => over is null ? this : new ProviderProfile
    {
        HardBounce = over.HardBounce ?? HardBounce,
        SoftBounce = over.SoftBounce ?? SoftBounce,
        Block = over.Block ?? Block,
        Deferral = over.Deferral ?? Deferral,
        Complaint = over.Complaint ?? Complaint,
        ComplaintDelay = over.ComplaintDelay ?? ComplaintDelay,
        MaxPerHourPerIp = over.MaxPerHourPerIp ?? MaxPerHourPerIp,
    };
}

/// <summary>A mailbox provider: the recipient domains it hosts and whose reply texts it uses (gmail, yahoo, microsoft, generic).</summary>
public sealed class MailboxProvider
{
    public string Name { get; init; } = "";
    public List<string> Domains { get; init; } = [];
    public string Style { get; init; } = "generic";
    public ProviderProfile? Profile { get; init; }
}

/// <summary>A change of profile for the attempts it matches (every given condition must hold); later rules win.</summary>
public sealed class ScenarioRule
{
    public string? Provider { get; init; }
    public string? Domain { get; init; }
    public string? Vmta { get; init; }
    public string? SourceIp { get; init; }
    public string? LocalPartPrefix { get; init; }
    public string? Header { get; init; }
    public string? HeaderValue { get; init; }
    public int? FromDay { get; init; }
    public int? ToDay { get; init; }
    public ProviderProfile Set { get; init; } = new();
}

/// <summary>The `--scenario` file: how simulated mailbox providers answer (see README "Scenario format").</summary>
public sealed class Scenario
{
    public int Seed { get; init; } = 1;
    public ProviderProfile Default { get; init; } = new();
    public List<MailboxProvider> Providers { get; init; } = [];
    public List<ScenarioRule> Rules { get; init; } = [];
    /// <summary>Free text for the reader.</summary>
    public string? Description { get; init; }
    /// <summary>What a driver of the whole stack does on given days (email-engine simulate); the daemon does not read it.</summary>
    public JsonElement? Events { get; init; }

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>No file: every mailbox exists and accepts everything.</summary>
    public static Scenario Load(string? path) =>
        path is null ? new Scenario() : JsonSerializer.Deserialize<Scenario>(File.ReadAllText(path), Options) ?? new Scenario();
}
