using System.Text.RegularExpressions;

namespace PmtaStandIn.Daemon;

public sealed class ConfigException(string message) : Exception(message);

/// <summary>One `&lt;name arg&gt;` … `&lt;/name&gt;` block (the file itself is the root, named ""), with its directives in file order.</summary>
public sealed class ConfigBlock(string name, string argument)
{
    public string Name { get; } = name;
    public string Argument { get; } = argument;
    public List<(string Key, string Value)> Directives { get; } = [];
    public List<ConfigBlock> Children { get; } = [];

    /// <summary>The last value given for a directive in this block (a later line overrides an earlier one).</summary>
    public string? Get(string key) =>
        Directives.LastOrDefault(d => d.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> All(string key) =>
        Directives.Where(d => d.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).Select(d => d.Value);

    public IEnumerable<ConfigBlock> Blocks(string name) =>
        Children.Where(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// The daemon's own reader of PowerMTA's config syntax (reference §1.1): one directive per line, `&lt;tag arg&gt;` blocks
/// handled generically on a stack, `#` comments (also trailing), `include FILE` inlined where it stands.
/// </summary>
public static partial class ConfigFile
{
    [GeneratedRegex(@"^<(/?)([A-Za-z][A-Za-z0-9-]*)(?:\s+([^>]*))?>$")]
    private static partial Regex Tag();

    public static ConfigBlock Parse(string path)
    {
        var root = new ConfigBlock("", "");
        var open = new Stack<ConfigBlock>();
        open.Push(root);
        Read(path, open, depth: 0);
        if (open.Count > 1)
            throw new ConfigException($"Error in {path}: <{open.Peek().Name}> is not closed");
        return root;
    }

    private static void Read(string path, Stack<ConfigBlock> open, int depth)
    {
        if (depth > 8)
            throw new ConfigException($"Error: include nesting too deep at {path}");
        if (!File.Exists(path))
            throw new ConfigException($"Error: cannot open {path}");
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var hash = lines[i].IndexOf('#');
            var line = (hash >= 0 ? lines[i][..hash] : lines[i]).Trim();
            if (line.Length == 0)
                continue;
            string Where() => $"line {i + 1} of {path}";
            if (line.StartsWith('<'))
            {
                var match = Tag().Match(line);
                if (!match.Success)
                    throw new ConfigException($"Error in {Where()}: malformed tag");
                var name = match.Groups[2].Value;
                if (match.Groups[1].Value == "/")
                {
                    if (open.Count == 1 || !open.Peek().Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                        throw new ConfigException($"Error in {Where()}: </{name}> closes no open <{name}>");
                    open.Pop();
                }
                else
                {
                    var block = new ConfigBlock(name.ToLowerInvariant(), match.Groups[3].Value.Trim());
                    open.Peek().Children.Add(block);
                    open.Push(block);
                }
                continue;
            }
            var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var key = parts[0].ToLowerInvariant();
            var value = parts.Length > 1 ? parts[1] : "";
            if (key == "include")
                Read(Path.IsPathRooted(value) ? value : Path.Combine(Path.GetDirectoryName(path)!, value), open, depth + 1);
            else
                open.Peek().Directives.Add((key, value));
        }
    }
}
