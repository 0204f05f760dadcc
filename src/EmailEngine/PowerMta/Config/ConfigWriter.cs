using System.Text;

namespace EmailEngine.PowerMta.Config;

/// <summary>
/// Writes a document in canonical PowerMTA syntax: tag blocks, four spaces per nesting level, one directive per line,
/// comments and blank lines where they were, the document's own line ending. Parsing the output gives the same nodes.
/// </summary>
public static class ConfigWriter
{
    public static string Write(ConfigDocument document) => Write(document.Nodes, document.NewLine);

    public static string Write(IEnumerable<ConfigNode> nodes, string newLine = "\n")
    {
        var text = new StringBuilder();
        foreach (var node in nodes)
            Append(text, node, 0, newLine);
        return text.ToString();
    }

    private static void Append(StringBuilder text, ConfigNode node, int depth, string newLine)
    {
        var indent = new string(' ', depth * 4);
        switch (node)
        {
            case BlankLine:
                text.Append(newLine);
                break;
            case CommentLine comment:
                text.Append(indent).Append('#').Append(comment.Text).Append(newLine);
                break;
            case Directive directive:
                text.Append(indent).Append(directive.Name);
                if (directive.Value.Length > 0)
                    text.Append(' ').Append(directive.Value.Replace("\n", newLine, StringComparison.Ordinal));
                AppendComment(text, directive.TrailingComment).Append(newLine);
                break;
            case Block block:
                text.Append(indent).Append('<').Append(block.Name);
                if (block.Argument.Length > 0)
                    text.Append(' ').Append(block.Argument);
                AppendComment(text.Append('>'), block.TrailingComment).Append(newLine);
                foreach (var child in block.Children)
                    Append(text, child, depth + 1, newLine);
                AppendComment(text.Append(indent).Append("</").Append(block.Name).Append('>'), block.CloseComment).Append(newLine);
                break;
            default:
                throw new InvalidOperationException($"unknown node {node.GetType().Name}");
        }
    }

    private static StringBuilder AppendComment(StringBuilder text, string? comment) =>
        comment is null ? text : text.Append(" #").Append(comment);
}
