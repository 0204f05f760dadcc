using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EmailEngine.Tests.Metrics;

/// <summary>One sample line: the series' name, labels and value.</summary>
public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string? this[string label] => Labels.GetValueOrDefault(label);
}

/// <summary>
/// A strict reader of the Prometheus text exposition format (0.0.4): every line is a comment (<c># HELP</c>,
/// <c># TYPE</c> or free text), blank, or a sample <c>name{label="value",…} value [timestamp]</c>; names and label names
/// follow the format's grammar, label values use its three escapes, values are Go floats (<c>+Inf</c>, <c>NaN</c>…).
/// A family's TYPE comes before its samples and only once; a series appears once; histograms carry <c>_bucket</c>
/// (with <c>le</c>, ending at <c>+Inf</c>), <c>_sum</c> and <c>_count</c>. Anything else throws.
/// </summary>
public sealed partial class PrometheusText
{
    public Dictionary<string, string> Types { get; } = [];
    public Dictionary<string, string> Help { get; } = [];
    public List<Sample> Samples { get; } = [];

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly string[] KnownTypes = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static PrometheusText Parse(string text)
    {
        var parsed = new PrometheusText();
        var seen = new HashSet<string>();
        var lineNumber = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
                continue;
            try
            {
                if (line.StartsWith('#'))
                    parsed.Comment(line);
                else
                {
                    var sample = ParseSample(line);
                    var family = parsed.FamilyOf(sample.Name);
                    if (!parsed.Types.ContainsKey(family))
                        throw new FormatException($"sample of {family} before its TYPE");
                    var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
                    if (!seen.Add(key))
                        throw new FormatException($"duplicate series {key}");
                    parsed.Samples.Add(sample);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"line {lineNumber}: {e.Message}: {line}");
            }
        }
        parsed.CheckHistograms();
        return parsed;
    }

    private void Comment(string line)
    {
        var parts = line.Split(' ', 4);
        if (parts.Length < 3 || parts[1] is not ("HELP" or "TYPE"))
            return; // a free comment
        if (!MetricName().IsMatch(parts[2]))
            throw new FormatException($"bad metric name {parts[2]}");
        if (parts[1] == "TYPE")
        {
            var type = parts.Length == 4 ? parts[3].Trim() : throw new FormatException("TYPE without a type");
            if (!KnownTypes.Contains(type))
                throw new FormatException($"unknown type {type}");
            if (!Types.TryAdd(parts[2], type))
                throw new FormatException($"second TYPE for {parts[2]}");
            if (Samples.Any(s => FamilyOf(s.Name) == parts[2]))
                throw new FormatException($"TYPE of {parts[2]} after its samples");
        }
        else if (!Help.TryAdd(parts[2], parts.Length == 4 ? parts[3] : ""))
            throw new FormatException($"second HELP for {parts[2]}");
    }

    /// <summary>The family a sample belongs to: histogram and summary samples carry suffixes.</summary>
    private string FamilyOf(string name)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (name.EndsWith(suffix, StringComparison.Ordinal) && Types.GetValueOrDefault(name[..^suffix.Length]) is "histogram" or "summary")
                return name[..^suffix.Length];
        return name;
    }

    private static Sample ParseSample(string line)
    {
        var i = 0;
        while (i < line.Length && line[i] is not ('{' or ' '))
            i++;
        var name = line[..i];
        if (!MetricName().IsMatch(name))
            throw new FormatException($"bad metric name '{name}'");
        var labels = new Dictionary<string, string>();
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (line[i] == '}')
                {
                    i++;
                    break;
                }
                var eq = line.IndexOf('=', i);
                var label = line[i..eq];
                if (!LabelName().IsMatch(label) || label.StartsWith("__", StringComparison.Ordinal))
                    throw new FormatException($"bad label name '{label}'");
                if (line[eq + 1] != '"')
                    throw new FormatException("label value not quoted");
                var value = new StringBuilder();
                i = eq + 2;
                for (; line[i] != '"'; i++)
                {
                    if (line[i] != '\\')
                    {
                        value.Append(line[i]);
                        continue;
                    }
                    i++;
                    value.Append(line[i] switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException($"bad escape \\{line[i]}") });
                }
                if (!labels.TryAdd(label, value.ToString()))
                    throw new FormatException($"label {label} twice");
                i++;
                if (line[i] == ',')
                    i++;
                else if (line[i] != '}')
                    throw new FormatException("expected , or } after a label");
            }
        }
        var rest = line[i..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2)
            throw new FormatException("expected a value and an optional timestamp");
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"bad timestamp {rest[1]}");
        return new Sample(name, labels, ParseValue(rest[0]));
    }

    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : throw new FormatException($"bad value {text}"),
    };

    private void CheckHistograms()
    {
        foreach (var (family, _) in Types.Where(t => t.Value == "histogram"))
        {
            var buckets = Samples.Where(s => s.Name == family + "_bucket").ToList();
            foreach (var series in buckets.GroupBy(b => string.Join(",", b.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}"))))
            {
                if (series.Any(b => b["le"] is null))
                    throw new FormatException($"{family}_bucket without le");
                var last = series.Last();
                if (last["le"] != "+Inf")
                    throw new FormatException($"{family} {series.Key}: the last bucket is not +Inf");
                var counts = series.Select(b => b.Value).ToList();
                if (counts.Zip(counts.Skip(1)).Any(p => p.Second < p.First))
                    throw new FormatException($"{family} {series.Key}: buckets are not cumulative");
                var count = Samples.SingleOrDefault(s => s.Name == family + "_count" && SameSeries(s, last))
                    ?? throw new FormatException($"{family} {series.Key}: no _count");
                if (count.Value != last.Value)
                    throw new FormatException($"{family} {series.Key}: _count differs from the +Inf bucket");
                if (!Samples.Any(s => s.Name == family + "_sum" && SameSeries(s, last)))
                    throw new FormatException($"{family} {series.Key}: no _sum");
            }
        }
    }

    private static bool SameSeries(Sample a, Sample bucket) =>
        a.Labels.Count == bucket.Labels.Count - 1 && a.Labels.All(l => bucket.Labels.GetValueOrDefault(l.Key) == l.Value);

    /// <summary>Every name a query may use: the families and their samples' names (<c>_bucket</c>, <c>_total</c>…).</summary>
    public IReadOnlySet<string> Names => Types.Keys.Concat(Samples.Select(s => s.Name)).ToHashSet();

    public IEnumerable<Sample> Series(string name, params (string Label, string Value)[] where) =>
        Samples.Where(s => s.Name == name && where.All(w => s[w.Label] == w.Value));

    public double Value(string name, params (string Label, string Value)[] where)
    {
        var found = Series(name, where).ToList();
        return found.Count == 1 ? found[0].Value
            : throw new InvalidOperationException($"{found.Count} series {name}{{{string.Join(",", where.Select(w => $"{w.Label}=\"{w.Value}\""))}}}");
    }
}
