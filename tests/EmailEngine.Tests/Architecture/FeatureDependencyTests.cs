using System.Text.RegularExpressions;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Architecture;

/// <summary>
/// Which feature folders of <c>src/EmailEngine</c> use each other, read from the source: a feature that uses another
/// (a <c>using EmailEngine.X</c> or a qualified <c>X.Type</c>) depends on it. No feature may depend on itself through
/// others, however long the path: where a lower feature needs a higher one, it declares an interface the higher one
/// implements (docs/architecture.md lists them). The composition root and shared infrastructure are left out: Hosting,
/// Cli, Data, Common, Http, the Simulation entry point, and Metrics (the gauges of every feature).
/// </summary>
public sealed class FeatureDependencyTests
{
    private static readonly HashSet<string> NotFeatures =
        ["bin", "obj", "Properties", "wwwroot", "Hosting", "Cli", "Simulation", "Data", "Common", "Http", "Metrics"];

    [Fact]
    public void No_feature_depends_on_itself_through_others()
    {
        var source = Path.Combine(TestEnvironment.RepositoryRoot(), "src", "EmailEngine");
        var features = Directory.GetDirectories(source).Select(Path.GetFileName).OfType<string>()
            .Where(name => !NotFeatures.Contains(name) && !name.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        var uses = features.ToDictionary(feature => feature, feature => UsesOf(Path.Combine(source, feature), features.Where(other => other != feature)));

        Assert.True(features.Count >= 15, $"read too few feature folders under {source}: {string.Join(", ", features)}");
        Assert.True(uses.Values.Sum(used => used.Count) >= 30, "read too few uses: the pattern no longer matches the code");
        var cycle = FirstCycle(features, uses);
        Assert.True(cycle is null, $"feature cycle: {string.Join(" -> ", cycle ?? [])}; put a seam in the lower feature (an interface the higher one implements)");
    }

    [Fact]
    public void The_cycle_search_finds_a_cycle_through_three_features()
    {
        var uses = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"] };
        Assert.Equal(["A", "B", "C", "A"], FirstCycle(["A", "B", "C", "D"], uses));
        Assert.Null(FirstCycle(["A", "B", "C", "D"], new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = [], ["D"] = ["A", "C"] }));
    }

    /// <summary>A path that comes back to where it started, found by depth-first search; null when there is none.</summary>
    private static List<string>? FirstCycle(IReadOnlyList<string> features, IReadOnlyDictionary<string, HashSet<string>> uses)
    {
        var done = new HashSet<string>();
        var path = new List<string>();
        List<string>? Visit(string feature)
        {
            if (path.IndexOf(feature) is var at and >= 0)
                return [.. path[at..], feature];
            if (!done.Add(feature))
                return null;
            path.Add(feature);
            foreach (var used in uses[feature].Order(StringComparer.Ordinal))
                if (Visit(used) is { } cycle)
                    return cycle;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return features.Select(Visit).FirstOrDefault(cycle => cycle is not null);
    }

    private static HashSet<string> UsesOf(string folder, IEnumerable<string> others)
    {
        var code = string.Join('\n', Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(path => Regex.Replace(File.ReadAllText(path), @"//.*", ""))); // comments (and doc comments) are not uses
        return others.Where(other => Regex.IsMatch(code, $@"\bEmailEngine\.{other}\b|(?<![\w.]){other}\.[A-Z]")).ToHashSet(StringComparer.Ordinal);
    }
}
