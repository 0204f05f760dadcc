using System.CommandLine;
using EmailEngine.PowerMta.Deploy;
using EmailEngine.PowerMta.Hosts;

namespace EmailEngine.Cli;

/// <summary><c>--host NAME</c>: the PowerMTA host a verb works on, the default host when left out.</summary>
internal static class HostOption
{
    public static Option<string?> Create(string description) => new("--host") { Description = $"{description} (default: the default host)" };

    /// <summary>The host named, or null after telling the user there is none of that name.</summary>
    public static async Task<PmtaHostOptions?> ResolveAsync(IServiceProvider services, ParseResult result, Option<string?> option, CancellationToken ct)
    {
        var name = result.GetValue(option);
        var host = await services.GetRequiredService<PmtaHostDirectory>().FindAsync(name, ct);
        if (host is null)
            TenantCommands.Fail($"no PowerMTA host is named {name}");
        return host;
    }
}
