using System.Text.RegularExpressions;

namespace PmtaStandIn;

/// <summary>
/// A strict subset of `pmta test config`: tag blocks balanced and known, every directive with an argument, no
/// brace-style blocks (a sketch's <c>virtual-mta vmta-1 { … }</c> is not PowerMTA syntax), include targets present.
/// Messages follow PowerMTA's form: "Error in line N of FILE: …".
/// </summary>
public static partial class ConfigChecker
{
    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "source", "domain", "virtual-mta", "virtual-mta-pool", "acct-file", "smtp-pattern-list", "bounce-category-patterns",
        "feedback-loop-processor", "smtp-user", "pickup", "pattern-list", "domain-macro", "spool", "smtp-listener", "http-mgmt",
    };

    [GeneratedRegex(@"^<(/?)([A-Za-z][A-Za-z0-9-]*)(\s+[^>]*)?>\s*(#.*)?$")]
    private static partial Regex Tag();

    public static string? Check(string path)
    {
        if (!File.Exists(path))
            return $"Error: cannot open {path}";
        var lines = File.ReadAllLines(path);
        var open = new Stack<(string Name, int Line)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            string Error(string what) => $"Error in line {i + 1} of {path}: {what}";
            if (line.StartsWith('<'))
            {
                var match = Tag().Match(line);
                if (!match.Success)
                    return Error("malformed tag");
                var name = match.Groups[2].Value;
                if (!Blocks.Contains(name))
                    return Error($"unknown block <{name}>");
                if (match.Groups[1].Value == "/")
                {
                    if (open.Count == 0 || !open.Peek().Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                        return Error($"</{name}> does not close {(open.Count == 0 ? "any block" : $"<{open.Peek().Name}> of line {open.Peek().Line}")}");
                    open.Pop();
                }
                else
                {
                    if (!name.Equals("acct-file", StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(match.Groups[3].Value)
                        && !name.Equals("bounce-category-patterns", StringComparison.OrdinalIgnoreCase))
                        return Error($"<{name}> needs an argument");
                    open.Push((name, i + 1));
                }
                continue;
            }
            if (line.EndsWith('{') || line == "}")
                return Error("'{' blocks are not PowerMTA syntax (use <tag> … </tag>)");
            var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            var inPatterns = open.Count > 0 && open.Peek().Name is "bounce-category-patterns" or "smtp-pattern-list" or "pattern-list";
            if (parts.Length < 2 && !inPatterns)
                return Error($"argument missing for '{parts[0]}'");
            if (parts[0].Equals("include", StringComparison.OrdinalIgnoreCase) && !File.Exists(parts[1].Trim()))
                return Error($"cannot open included file {parts[1].Trim()}");
        }
        return open.Count > 0 ? $"Error in line {lines.Length} of {path}: <{open.Peek().Name}> of line {open.Peek().Line} is not closed" : null;
    }
}
