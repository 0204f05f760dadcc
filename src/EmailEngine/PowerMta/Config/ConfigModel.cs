namespace EmailEngine.PowerMta.Config;

/// <summary>One line-level element of a PowerMTA config, with where it started (1-based) in its source.</summary>
public abstract record ConfigNode(int Line, int Column);

/// <summary>An empty line; kept so a rewritten file keeps its paragraphs.</summary>
public sealed record BlankLine(int Line) : ConfigNode(Line, 1);

/// <summary>A full-line comment; <see cref="Text"/> is everything after the <c>#</c>, as written.</summary>
public sealed record CommentLine(string Text, int Line, int Column) : ConfigNode(Line, Column);

/// <summary>
/// <c>keyword value…</c>. <see cref="Value"/> is the raw rest of the line without its trailing comment (quotes and
/// <c>/regex/</c> kept as written). In pattern blocks the keyword is the <c>/regex/</c> itself.
/// </summary>
public sealed record Directive(string Name, string Value, int Line, int Column, string? TrailingComment = null) : ConfigNode(Line, Column)
{
    /// <summary>The parsed file when an <c>include</c> was resolved; the writer still writes only the directive.</summary>
    public ConfigDocument? Included { get; init; }

    public bool Is(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whitespace-separated arguments; quoted strings and /regex/ stay one argument each.</summary>
    public IReadOnlyList<string> Arguments => ConfigLexer.SplitArguments(Value);
}

/// <summary><c>&lt;name argument&gt;</c> … <c>&lt;/name&gt;</c>; the argument may be empty (<c>&lt;bounce-category-patterns&gt;</c>).</summary>
public sealed record Block(string Name, string Argument, IReadOnlyList<ConfigNode> Children, int Line, int Column,
    string? TrailingComment = null, string? CloseComment = null) : ConfigNode(Line, Column)
{
    public bool Is(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);

    public IEnumerable<Directive> Directives(string name) =>
        Children.OfType<Directive>().Where(d => d.Is(name));

    public IEnumerable<Block> Blocks(string name) => Children.OfType<Block>().Where(b => b.Is(name));
}

/// <summary>A parsed config: its top-level nodes in file order, and how it ended its lines.</summary>
public sealed record ConfigDocument(IReadOnlyList<ConfigNode> Nodes, string NewLine = "\n")
{
    public IEnumerable<Directive> Directives(string name) => Nodes.OfType<Directive>().Where(d => d.Is(name));

    public IEnumerable<Block> Blocks(string name) => Nodes.OfType<Block>().Where(b => b.Is(name));

    /// <summary>Every block at any depth, with its enclosing block (null at top level), in file order.</summary>
    public IEnumerable<(Block Block, Block? Parent)> AllBlocks() => Walk(Nodes, null);

    /// <summary>Every directive at any depth, with its enclosing block (null at top level), in file order.</summary>
    public IEnumerable<(Directive Directive, Block? Parent)> AllDirectives() =>
        Nodes.OfType<Directive>().Select(d => (d, (Block?)null))
            .Concat(AllBlocks().SelectMany(b => b.Block.Children.OfType<Directive>().Select(d => (d, (Block?)b.Block))))
            .OrderBy(p => p.Item1.Line);

    /// <summary><c>domain-macro NAME a.com,b.com</c> definitions, by name without the <c>$</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> DomainMacros() =>
        Directives("domain-macro").Where(d => d.Arguments.Count >= 2)
            .GroupBy(d => d.Arguments[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Last().Arguments.Skip(1)
                .SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                StringComparer.OrdinalIgnoreCase);

    private static IEnumerable<(Block, Block?)> Walk(IEnumerable<ConfigNode> nodes, Block? parent)
    {
        foreach (var block in nodes.OfType<Block>())
        {
            yield return (block, parent);
            foreach (var inner in Walk(block.Children, block))
                yield return inner;
        }
    }
}

/// <summary>A syntax error at a 1-based line and column of <see cref="Source"/>.</summary>
public sealed class ConfigParseException(string message, int line, int column, string source)
    : Exception($"{source}:{line}:{column}: {message}")
{
    public string Reason { get; } = message;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string File { get; } = source;
}
