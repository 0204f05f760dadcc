namespace EmailEngine.PowerMta.Config;

/// <summary>How to parse: the name used in errors, an optional resolver for <c>include</c> targets (path → text, or
/// null when absent), and the DKIM selector given to a brace sketch's selector-less <c>domain-key</c> lines.</summary>
public sealed record ParseOptions(string Source = "config", Func<string, string?>? IncludeResolver = null, string DkimSelector = "ee1");

/// <summary>The document, and one note per brace-style sketch construct rewritten into real PowerMTA syntax.</summary>
public sealed record ParseResult(ConfigDocument Document, IReadOnlyList<string> Notes);

/// <summary>
/// Line-oriented parser for PowerMTA configs: directives, generic (stack-based) tag blocks, comments, CRLF, regex lines
/// wrapped over several lines in pattern blocks, <c>include</c>. Unknown directives and blocks are kept as they are.
/// A brace-style sketch (<c>virtual-mta vmta-1 { … }</c>, as the operator's V2 setup procedure wrote PowerMTA's
/// config) is accepted and normalised (see <see cref="SeedSketch"/>).
/// </summary>
public static class ConfigParser
{
    /// <summary>Blocks whose lines hold <c>/regex/</c> values, so <c>#</c> and line ends inside a regex are data.</summary>
    private static readonly HashSet<string> PatternBlocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "smtp-pattern-list", "pattern-list", "bounce-category-patterns", "address-list", "email-patterns", "rewrite-list",
    };

    private const int MaxIncludeDepth = 8;

    public static ParseResult Parse(string text, ParseOptions? options = null)
    {
        var notes = new List<string>();
        var document = Parse(text, options ?? new ParseOptions(), notes, depth: 0);
        return new ParseResult(document, notes);
    }

    private sealed class Frame(string name, string argument, int line, int column, string? comment, bool brace)
    {
        public string Name { get; } = name;
        public string Argument { get; } = argument;
        public int Line { get; } = line;
        public int Column { get; } = column;
        public string? Comment { get; } = comment;
        public bool Brace { get; } = brace;
        public List<ConfigNode> Children { get; } = [];
    }

    private static ConfigDocument Parse(string text, ParseOptions options, List<string> notes, int depth)
    {
        var newLine = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var lineCount = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        var top = new List<ConfigNode>();
        var stack = new Stack<Frame>();
        List<ConfigNode> Current() => stack.Count > 0 ? stack.Peek().Children : top;
        ConfigParseException Error(string message, int line, int column) => new(message, line, column, options.Source);

        for (var i = 0; i < lineCount; i++)
        {
            var raw = lines[i];
            var trimmed = raw.Trim();
            var number = i + 1;
            var column = raw.Length - raw.TrimStart().Length + 1;
            if (trimmed.Length == 0)
            {
                Current().Add(new BlankLine(number));
                continue;
            }
            if (trimmed[0] == '#')
            {
                Current().Add(new CommentLine(trimmed[1..], number, column));
                continue;
            }
            if (trimmed.StartsWith("</", StringComparison.Ordinal))
            {
                var (name, _, comment) = ReadTag(trimmed, 2, number, column, Error);
                if (stack.Count == 0)
                    throw Error($"</{name}> closes no open block", number, column);
                var open = stack.Peek();
                if (open.Brace || !open.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                    throw Error($"</{name}> does not close {Describe(open)} opened at line {open.Line}", number, column);
                stack.Pop();
                Current().Add(new Block(open.Name, open.Argument, open.Children, open.Line, open.Column, open.Comment, comment));
                continue;
            }
            if (trimmed[0] == '<')
            {
                var (name, argument, comment) = ReadTag(trimmed, 1, number, column, Error);
                stack.Push(new Frame(name, argument, number, column, comment, brace: false));
                continue;
            }
            if (trimmed == "}")
            {
                if (stack.Count == 0 || !stack.Peek().Brace)
                    throw Error(stack.Count == 0 ? "'}' closes no open block" : $"'}}' does not close {Describe(stack.Peek())} opened at line {stack.Peek().Line}", number, column);
                var open = stack.Pop();
                Current().AddRange(SeedSketch.CloseBraceBlock(open.Name, open.Argument, open.Children, open.Line, open.Column, notes));
                continue;
            }

            var patternContext = trimmed[0] == '/' || (stack.Count > 0 && PatternBlocks.Contains(stack.Peek().Name));
            var (commentAt, regexOpen) = ConfigLexer.Scan(trimmed, patternContext);
            var content = trimmed;
            var startLine = number;
            while (regexOpen)
            {
                // A regex wrapped over several lines (seen in real bounce-category-patterns): join until it closes,
                // but never across a tag, so a regex missing its '/' is reported where it starts.
                if (++i >= lineCount || lines[i].TrimStart().StartsWith('<'))
                    throw Error("unterminated /regex/", startLine, column);
                content += "\n" + lines[i];
                (commentAt, regexOpen) = ConfigLexer.Scan(content, patternContext);
            }
            // The joined lines end as a single line does, without trailing space, so the line reads back as written.
            content = content.TrimEnd();
            string? trailing = null;
            if (commentAt >= 0)
            {
                trailing = content[(commentAt + 1)..];
                content = content[..commentAt].TrimEnd();
            }
            if (content.EndsWith('{'))
            {
                if (content[..^1].Trim().Length == 0)
                    throw Error("'{' opens a block without a name (expected e.g. 'virtual-mta vmta-1 {')", startLine, column);
                var (braceName, braceArgument) = ConfigLexer.SplitFirstToken(content[..^1].Trim());
                // It is written back as <name argument>: it must read back as that tag.
                if (!IsTagName(braceName) || braceArgument.IndexOfAny(['<', '>']) >= 0)
                    throw Error($"'{content}' is not a block: a block is 'name argument {{' with a plain name and no '<' or '>'", startLine, column);
                stack.Push(new Frame(braceName, braceArgument, startLine, column, trailing, brace: true));
                continue;
            }
            var (keyword, value) = ConfigLexer.SplitFirstToken(content);
            var directive = SeedSketch.Normalise(new Directive(keyword, value, startLine, column, trailing), options.DkimSelector, notes);
            if (directive.Is("include") && options.IncludeResolver is not null)
                directive = directive with { Included = ResolveInclude(directive, options, notes, depth, Error) };
            Current().Add(directive);
        }
        if (stack.Count > 0)
        {
            var open = stack.Peek();
            throw Error($"{Describe(open)} is not closed", open.Line, open.Column);
        }
        return new ConfigDocument(top, newLine);
    }

    private static string Describe(Frame frame)
    {
        var head = frame.Argument.Length == 0 ? frame.Name : $"{frame.Name} {frame.Argument}";
        return frame.Brace ? $"'{head} {{'" : $"<{head}>";
    }

    /// <summary>Reads <c>&lt;name arg&gt; # comment</c> (or a close tag from <paramref name="nameStart"/> = 2).</summary>
    private static (string Name, string Argument, string? Comment) ReadTag(string line, int nameStart, int number, int column,
        Func<string, int, int, ConfigParseException> error)
    {
        var close = FindTagEnd(line);
        if (close < 0)
            throw error("tag is missing its closing '>'", number, column + line.Length);
        var inner = line[nameStart..close].Trim();
        var (name, argument) = inner.Length == 0 ? ("", "") : ConfigLexer.SplitFirstToken(inner);
        if (!IsTagName(name))
            throw error($"malformed tag name '{name}'", number, column + nameStart);
        if (nameStart == 2 && argument.Length > 0)
            throw error($"</{name}> takes no argument", number, column + nameStart + name.Length + 1);
        var rest = line[(close + 1)..].Trim();
        if (rest.Length > 0 && rest[0] != '#')
            throw error($"unexpected '{rest}' after the tag (one tag per line)", number, column + line.IndexOf(rest, close + 1, StringComparison.Ordinal));
        return (name, argument, rest.Length > 0 ? rest[1..] : null);
    }

    private static bool IsTagName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_');

    private static int FindTagEnd(string line)
    {
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] == '"' && ConfigLexer.EndOfDelimited(line, i) is > 0 and var end)
                i = end - 1;
            else if (line[i] == '>')
                return i;
        }
        return -1;
    }

    private static ConfigDocument? ResolveInclude(Directive include, ParseOptions options, List<string> notes, int depth,
        Func<string, int, int, ConfigParseException> error)
    {
        if (depth >= MaxIncludeDepth)
            throw error($"includes nested deeper than {MaxIncludeDepth} (a cycle?)", include.Line, include.Column);
        var target = include.Value.Trim().Trim('"');
        var text = options.IncludeResolver!(target);
        return text is null ? null : Parse(text, options with { Source = target }, notes, depth + 1);
    }
}
