using System.Net;

namespace EmailEngine.PowerMta.Config;

/// <summary>
/// The config sketch in the operator's V2 setup procedure is not PowerMTA syntax: brace blocks
/// (<c>virtual-mta vmta-1 { … }</c>, <c>smtp-listener 0.0.0.0:2525 { … }</c>), <c>smtp-source-host HOST [IP]</c> and
/// <c>domain-key DOMAIN,*,FILE</c>. These rewrite it into the real forms, each with a note saying what was changed.
/// </summary>
internal static class SeedSketch
{
    /// <summary>Directives of the sketch's listener block that PowerMTA does not have.</summary>
    private static readonly HashSet<string> NotPowerMta = new(StringComparer.OrdinalIgnoreCase) { "listen-on-tcp" };

    public static IEnumerable<ConfigNode> CloseBraceBlock(string name, string argument, List<ConfigNode> children, int line, int column,
        List<string> notes)
    {
        if (!name.Equals("smtp-listener", StringComparison.OrdinalIgnoreCase))
        {
            notes.Add($"line {line}: '{name} {argument} {{ … }}' rewritten as <{name} {argument}> … </{name}>");
            return [new Block(name, argument, children, line, column)];
        }
        // A listener is a directive; what the sketch puts inside it are per-client settings, which live in <source>.
        var kept = children.Where(c => c is not Directive d || !NotPowerMta.Contains(d.Name)).ToList();
        notes.Add($"line {line}: 'smtp-listener {argument} {{ … }}' rewritten as 'smtp-listener {argument}' and its settings moved to <source 0/0>"
            + (kept.Count < children.Count ? " (listen-on-tcp dropped: not a PowerMTA directive)" : ""));
        return [new Directive(name, argument, line, column), new Block("source", "0/0", kept, line, column)];
    }

    public static Directive Normalise(Directive directive, string selector, List<string> notes)
    {
        if (directive.Is("domain-key"))
        {
            var fields = directive.Value.Split(',', StringSplitOptions.TrimEntries);
            // Real syntax starts with the selector (no dot); the sketch starts with the domain and puts '*' second.
            if (fields.Length == 3 && fields[0].Contains('.') && fields[1] == "*")
            {
                notes.Add($"line {directive.Line}: 'domain-key {directive.Value}' rewritten as SELECTOR,DOMAIN,KEYFILE with selector {selector}");
                return directive with { Value = $"{selector},{fields[0]},{fields[2]}" };
            }
        }
        else if (directive.Is("smtp-source-host") && directive.Arguments is [var host, var address] && !IsAddress(host) && IsAddress(address.Trim('[', ']'), placeholder: address is ['[', _, .., ']']))
        {
            notes.Add($"line {directive.Line}: 'smtp-source-host {directive.Value}' rewritten with the IP first");
            return directive with { Value = $"{address.Trim('[', ']')} {host}" };
        }
        return directive;
    }

    private static bool IsAddress(string text, bool placeholder = false) =>
        placeholder || IPAddress.TryParse(text.Split('/')[0], out _);
}
