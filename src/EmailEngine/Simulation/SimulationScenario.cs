using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailEngine.Simulation;

/// <summary>Something the simulation does to the stack on a given virtual day and hour; <c>host</c> (from 1) is the PowerMTA host a
/// <c>pmta-restart</c> or <c>kill-pmta</c> hits.</summary>
public sealed record SimulationEvent(
    [property: JsonPropertyName("day")] int Day,
    [property: JsonPropertyName("hour")] double Hour,
    [property: JsonPropertyName("action")] string Action,
    [property: JsonPropertyName("hours")] double Hours = 0,
    [property: JsonPropertyName("host")] int Host = 1)
{
    public const string MailWizzDown = "mailwizz-down";
    public const string PmtaRestart = "pmta-restart";
    public const string KillEngine = "kill-engine";
    public const string KillMailWizz = "kill-mailwizz";
    public const string KillPmta = "kill-pmta";
    public static readonly IReadOnlyList<string> Actions = [MailWizzDown, PmtaRestart, KillEngine, KillMailWizz, KillPmta];
}

/// <summary>
/// A scenario file is the PowerMTA stand-in's (seed, default outcomes, providers, rules: see tools/PmtaStandIn/README.md),
/// with an optional <c>events</c> list the simulation itself carries out (MailWizz down for some hours, the PowerMTA
/// host restarted, a process killed). The stand-in ignores <c>events</c>; the simulation ignores the rest.
/// </summary>
public sealed record SimulationScenario(string Path, string Name, IReadOnlyList<SimulationEvent> Events)
{
    private sealed record EventsOnly([property: JsonPropertyName("events")] List<SimulationEvent>? Events);

    public static SimulationScenario Load(string path)
    {
        var parsed = JsonSerializer.Deserialize<EventsOnly>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path}: not a scenario");
        var events = parsed.Events ?? [];
        if (events.FirstOrDefault(e => !SimulationEvent.Actions.Contains(e.Action) || e.Day < 1 || e.Hour is < 0 or >= 24 || e.Host < 1) is { } bad)
            throw new InvalidDataException($"{path}: event '{bad.Action}' on day {bad.Day} at {bad.Hour} h: actions are {string.Join(", ", SimulationEvent.Actions)}, days from 1, hours 0–24, hosts from 1");
        return new(path, System.IO.Path.GetFileNameWithoutExtension(path), events.OrderBy(e => e.Day).ThenBy(e => e.Hour).ToList());
    }

    /// <summary>The scenarios shipped beside the engine (<c>Simulation/Scenarios</c>).</summary>
    public static string Shipped(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Simulation", "Scenarios", $"{name}.json");
}
