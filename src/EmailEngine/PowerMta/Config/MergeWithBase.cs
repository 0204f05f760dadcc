namespace EmailEngine.PowerMta.Config;

/// <summary>
/// Lays Email-Engine's rendered config over an imported base. The base gives the structure (its globals, per-ISP domain
/// blocks, pattern lists, bounce patterns, auth users and sources); the rendered config owns what Email-Engine manages
/// and wins there: its global settings (same name; listeners by address), its sources and accounting files (same
/// argument), its virtual MTAs and pools. A per-ISP <c>&lt;domain&gt;</c> present in both keeps the base's tuned values
/// and gains only the settings it lacks. The rendered header comes first, then rendered globals the base lacks, the base, and the remaining rendered blocks.
/// </summary>
public static class MergeWithBase
{
    public static ConfigDocument Merge(ConfigDocument rendered, ConfigDocument @base, string baseLabel)
    {
        var header = rendered.Nodes.TakeWhile(n => n is CommentLine or BlankLine).ToList();
        var body = rendered.Nodes.Skip(header.Count).ToList();
        var renderedDirectives = body.OfType<Directive>().GroupBy(Key).ToDictionary(g => g.Key, g => g.ToList());
        var renderedBlocks = body.OfType<Block>().ToDictionary(BlockKey);
        var placed = new HashSet<ConfigNode>(ReferenceEqualityComparer.Instance);

        var merged = new List<ConfigNode>(header.Where(n => n is CommentLine)) { new CommentLine($" on the imported base {baseLabel}", 0, 1), new BlankLine(0) };
        // Globals the base has no line for (its old postmaster and host-name were dropped at import) go first, as globals do.
        var baseKeys = @base.Nodes.OfType<Directive>().Select(Key).ToHashSet();
        var newGlobals = body.OfType<Directive>().Where(d => !baseKeys.Contains(Key(d))).ToList();
        if (newGlobals.Count > 0)
        {
            merged.AddRange([.. newGlobals, new BlankLine(0)]);
            placed.UnionWith(newGlobals);
        }
        foreach (var node in @base.Nodes)
        {
            switch (node)
            {
                case Directive directive when renderedDirectives.TryGetValue(Key(directive), out var ours):
                    if (placed.Add(ours[0]))
                    {
                        merged.AddRange(ours);
                        placed.UnionWith(ours);
                    }
                    break;
                case Block block when renderedBlocks.TryGetValue(BlockKey(block), out var ourBlock):
                    placed.Add(ourBlock);
                    merged.Add(block.Is("domain") ? FillDomain(block, ourBlock) : ourBlock);
                    break;
                default:
                    merged.Add(node);
                    break;
            }
        }

        merged.AddRange([new BlankLine(0), new CommentLine(" Email-Engine: everything the base has no place for (virtual MTAs, pools, new policies).", 0, 1)]);
        var pending = new List<ConfigNode>();
        foreach (var node in body)
        {
            if (node is CommentLine or BlankLine)
                pending.Add(node);
            else
            {
                if (placed.Add(node))
                    merged.AddRange([.. pending, node]);
                pending.Clear();
            }
        }
        return new ConfigDocument(merged.Where((n, i) => n is not BlankLine || merged[i - 1] is not BlankLine).ToList(), rendered.NewLine);
    }

    /// <summary>Single-valued globals match by name; listeners by address, so the base's other listeners stay.</summary>
    private static string Key(Directive directive) => directive.Is("smtp-listener")
        ? $"smtp-listener {directive.Arguments.FirstOrDefault()}".ToLowerInvariant()
        : directive.Name.ToLowerInvariant();

    private static string BlockKey(Block block) => $"{block.Name} {block.Argument}".ToLowerInvariant();

    private static Block FillDomain(Block theirs, Block ours)
    {
        var present = theirs.Children.OfType<Directive>().Select(d => d.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = ours.Children.OfType<Directive>().Where(d => !present.Contains(d.Name));
        return theirs with { Children = [.. theirs.Children, .. missing] };
    }
}
