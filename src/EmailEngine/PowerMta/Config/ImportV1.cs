using System.Net;
using System.Text.RegularExpressions;
using EmailEngine.Ips;

namespace EmailEngine.PowerMta.Config;

/// <summary>One line of the import report: what happened to a V1 item (<c>kept</c>, <c>dropped</c>, <c>replaced</c>) and why.</summary>
public sealed record ImportItem(string Action, string Item, int Line, string Reason)
{
    public const string Kept = "kept";
    public const string Dropped = "dropped";
    public const string Replaced = "replaced";
}

/// <summary>The base left once the V1 sending identity is removed, what that identity was, and the report.</summary>
public sealed record V1Import(ConfigDocument Base, IReadOnlyList<string> OldIps, IReadOnlyList<string> OldDomains,
    IReadOnlyList<string> OldVirtualMtas, IReadOnlyList<ImportItem> Items);

/// <summary>
/// Turns a V1 PowerMTA config into a base for Email-Engine: its structure stays (globals, per-ISP domain blocks, pattern
/// lists, bounce patterns, listeners and sources not bound to old IPs, SMTP auth users, relay rules); its sending
/// identity goes: virtual MTAs and pools (Email-Engine renders its own from the registered IPs), and everything
/// naming an old IP, sending domain or virtual MTA — listeners, sources, domain blocks, domain-keys, macro members,
/// comments. The old IPs are the virtual MTAs' source IPs; the old domains their HELO and DKIM domains.
/// </summary>
public static class ImportV1
{
    /// <summary>Top-level settings Email-Engine renders itself; an old value of these is replaced, not merely dropped.</summary>
    private static readonly HashSet<string> RenderedByEngine = new(StringComparer.OrdinalIgnoreCase)
    {
        "postmaster", "host-name", "domain-key", "smtp-source-host",
    };

    public static V1Import Run(ConfigDocument v1)
    {
        var vmtas = v1.Blocks("virtual-mta").ToList();
        var sourceHosts = vmtas.SelectMany(v => v.Directives("smtp-source-host")).Concat(v1.Directives("smtp-source-host")).ToList();
        var ips = sourceHosts.Select(d => d.Arguments.FirstOrDefault() ?? "").Where(a => IPAddress.TryParse(a, out _))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var domains = sourceHosts.Where(d => d.Arguments.Count > 1).Select(d => SendingIp.SendingDomainOf(d.Arguments[1]))
            .Concat(v1.AllDirectives().Where(p => p.Directive.Is("domain-key")).Select(p => p.Directive.Value.Split(',', StringSplitOptions.TrimEntries))
                .Where(f => f.Length == 3 && f[1] != "*" && !f[1].StartsWith('$')).Select(f => f[1]))
            .Select(d => d.ToLowerInvariant()).Distinct().ToList();
        var names = vmtas.Concat(v1.Blocks("virtual-mta-pool")).Select(b => b.Argument).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        var matcher = new OldReferences(ips, domains, names);
        var items = new List<ImportItem>();
        var nodes = Filter(v1.Nodes, matcher, items, topLevel: true);
        return new V1Import(new ConfigDocument(CollapseBlankRuns(nodes), v1.NewLine), ips, domains, names, items);
    }

    private static List<ConfigNode> Filter(IReadOnlyList<ConfigNode> nodes, OldReferences old, List<ImportItem> items, bool topLevel)
    {
        var kept = new List<ConfigNode>();
        foreach (var node in nodes)
        {
            switch (node)
            {
                case Block { Name: var n } block when topLevel && (block.Is("virtual-mta") || block.Is("virtual-mta-pool")):
                    items.Add(new(ImportItem.Replaced, Describe(block), block.Line,
                        $"old {n.ToLowerInvariant()}; Email-Engine renders one per registered IP and its pools"));
                    break;
                case Block block when old.Find(block.Argument) is { } found:
                    items.Add(new(ImportItem.Dropped, Describe(block), block.Line, $"bound to old {found}"));
                    break;
                case Block block:
                    var children = Filter(block.Children, old, items, topLevel: false);
                    kept.Add(block with
                    {
                        Children = children,
                        TrailingComment = old.Find(block.TrailingComment) is null ? block.TrailingComment : null,
                        CloseComment = old.Find(block.CloseComment) is null ? block.CloseComment : null,
                    });
                    if (topLevel)
                        items.Add(new(ImportItem.Kept, Describe(block), block.Line,
                            children.Count == block.Children.Count ? "as it was" : "without the lines about the old identity (listed)"));
                    break;
                case Directive directive when directive.Is("domain-macro"):
                    KeepMacro(directive, old, items, kept);
                    break;
                case Directive directive when old.Find(directive.Value) is { } found:
                    var replaced = topLevel && RenderedByEngine.Contains(directive.Name) || directive.Is("domain-key");
                    items.Add(new(replaced ? ImportItem.Replaced : ImportItem.Dropped, Describe(directive), directive.Line,
                        replaced ? $"names old {found}; Email-Engine renders its own {directive.Name.ToLowerInvariant()}" : $"bound to old {found}"));
                    break;
                case Directive directive:
                    kept.Add(old.Find(directive.TrailingComment) is null ? directive : directive with { TrailingComment = null });
                    if (topLevel)
                        items.Add(new(ImportItem.Kept, Describe(directive), directive.Line, "global setting"));
                    break;
                case CommentLine comment when old.Find(comment.Text) is not null:
                    break; // a comment about the old identity would keep the old IPs and domains in the new config
                default:
                    kept.Add(node);
                    break;
            }
        }
        return kept;
    }

    private static void KeepMacro(Directive macro, OldReferences old, List<ImportItem> items, List<ConfigNode> kept)
    {
        var arguments = macro.Arguments;
        if (arguments.Count < 2)
        {
            kept.Add(macro);
            return;
        }
        var name = arguments[0];
        var members = arguments.Skip(1).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var remaining = members.Where(m => old.Find(m) is null).ToList();
        if (remaining.Count == members.Count)
        {
            kept.Add(macro);
            items.Add(new(ImportItem.Kept, Describe(macro), macro.Line, "domain macro"));
        }
        else if (remaining.Count == 0)
            items.Add(new(ImportItem.Dropped, Describe(macro), macro.Line, "every domain in it is an old sending domain"));
        else
        {
            kept.Add(macro with { Value = $"{name} {string.Join(',', remaining)}" });
            items.Add(new(ImportItem.Dropped, $"{string.Join(",", members.Except(remaining))} from domain-macro {name}", macro.Line, "old sending domain"));
        }
    }

    private static List<ConfigNode> CollapseBlankRuns(List<ConfigNode> nodes) =>
        nodes.Where((node, i) => node is not BlankLine || (i > 0 && nodes[i - 1] is not BlankLine)).ToList();

    private static string Describe(ConfigNode node) => node switch
    {
        Block b => b.Argument.Length == 0 ? $"<{b.Name}>" : $"<{b.Name} {b.Argument}>",
        Directive d => $"{d.Name} {d.Value}".Trim(),
        _ => node.GetType().Name,
    };

    /// <summary>Finds an old IP, domain (or a host/address under it) or virtual MTA name inside a text.</summary>
    private sealed class OldReferences
    {
        private readonly List<(Regex Pattern, string What)> _patterns;

        public OldReferences(IEnumerable<string> ips, IEnumerable<string> domains, IEnumerable<string> names) =>
            _patterns =
            [
                .. ips.Select(ip => (new Regex($@"(?<![\w.:]){Regex.Escape(ip)}(?![\w]|\.\d)"), $"IP {ip}")),
                .. domains.Select(d => (new Regex($@"(?<![\w-]){Regex.Escape(d)}(?![\w-]|\.\w)", RegexOptions.IgnoreCase), $"domain {d}")),
                .. names.Select(n => (new Regex($@"(?<![\w-]){Regex.Escape(n)}(?![\w-])", RegexOptions.IgnoreCase), $"virtual MTA {n}")),
            ];

        public string? Find(string? text) =>
            text is null ? null : _patterns.FirstOrDefault(p => p.Pattern.IsMatch(text)).What;
    }
}
