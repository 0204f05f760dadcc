namespace EmailEngine.PowerMta.Config;

/// <summary>
/// Character-level rules shared by the parser and the model: where a trailing comment starts and how a value splits
/// into arguments. A <c>#</c> starts a comment only at the start of a token and outside quotes and (in pattern
/// contexts) outside <c>/regex/</c>; PowerMTA's guide asks for <c>\x23</c> in regexes, but real files are not so careful.
/// </summary>
internal static class ConfigLexer
{
    /// <summary>Where the trailing comment starts (-1: none), and whether a <c>/regex/</c> is still open at the end.</summary>
    public static (int CommentAt, bool RegexOpen) Scan(string text, bool regexAware)
    {
        var (inQuote, inRegex) = (false, false);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var tokenStart = i == 0 || char.IsWhiteSpace(text[i - 1]);
            if (inRegex || inQuote)
            {
                if (c == '\\')
                    i++;
                else if (inRegex && c == '/')
                    inRegex = false;
                else if (inQuote && c == '"')
                    inQuote = false;
                continue;
            }
            if (c == '"' && tokenStart)
                inQuote = true;
            else if (c == '/' && tokenStart && regexAware)
                inRegex = true;
            else if (c == '#' && tokenStart)
                return (i, false);
        }
        return (-1, inRegex);
    }

    /// <summary>Index just past the closing delimiter of a quoted string or /regex/ starting at <paramref name="start"/>, or -1.</summary>
    public static int EndOfDelimited(string text, int start)
    {
        var delimiter = text[start];
        for (var i = start + 1; i < text.Length; i++)
        {
            if (text[i] == '\\')
                i++;
            else if (text[i] == delimiter)
                return i + 1;
        }
        return -1;
    }

    public static IReadOnlyList<string> SplitArguments(string value)
    {
        var arguments = new List<string>();
        var i = 0;
        while (i < value.Length)
        {
            if (char.IsWhiteSpace(value[i]))
            {
                i++;
                continue;
            }
            var start = i;
            if (value[i] is '"' or '/' && EndOfDelimited(value, i) is > 0 and var end)
                i = end;
            while (i < value.Length && !char.IsWhiteSpace(value[i]))
                i++;
            arguments.Add(value[start..i]);
        }
        return arguments;
    }

    public static (string Head, string Tail) SplitFirstToken(string text)
    {
        var end = text[0] == '/' && EndOfDelimited(text, 0) is > 0 and var close ? close : 0;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
            end++;
        return (text[..end], text[end..].Trim());
    }
}
