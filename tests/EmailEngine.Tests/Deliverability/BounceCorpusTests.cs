using System.Text;
using EmailEngine.Deliverability;
using EmailEngine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace EmailEngine.Tests.Deliverability;

/// <summary>
/// The classifier against labelled corpora: provider texts from their public error pages (<c>diagnostics.tsv</c>) and
/// sisimai's phrase tables, provider tables and real bounce mails (<c>bounce-corpus.tsv</c>, BSD-2, provenance per line).
/// The goals of the classifier are asserted here, and the confusion matrix in the docs is this test's output.
/// </summary>
public sealed class BounceCorpusTests(ITestOutputHelper output)
{
    private static readonly BounceClass[] Classes = Enum.GetValues<BounceClass>();

    [Fact]
    public void The_classifier_agrees_with_at_least_95_percent_of_the_labels_and_wrongly_calls_hard_at_most_1_percent()
    {
        var corpus = BounceCorpus.Load();
        var matrix = new int[Classes.Length, Classes.Length];
        var disagreements = new List<string>();
        foreach (var line in corpus)
        {
            var (got, why) = BounceClassifier.Classify(line.Type, line.BounceCat, line.Status, line.Diagnostic);
            matrix[(int)line.Expected, (int)got]++;
            if (got != line.Expected)
                disagreements.Add($"{line.Expected} → {got}: {line.Status} {line.Diagnostic} [{why}] ({line.Source})");
        }
        var agreement = Enumerable.Range(0, Classes.Length).Sum(i => matrix[i, i]) / (double)corpus.Count;
        var wronglyHard = Enumerable.Range(0, Classes.Length).Where(i => i != (int)BounceClass.Hard).Sum(i => matrix[i, (int)BounceClass.Hard]) / (double)corpus.Count;
        output.WriteLine(Render(matrix, corpus.Count));
        disagreements.ForEach(output.WriteLine);

        Assert.True(corpus.Count >= 1000, $"the corpus holds {corpus.Count} labelled lines, fewer than 1,000");
        Assert.True(agreement >= 0.95, $"agreement {agreement:P1} is under 95 %:\n{string.Join('\n', disagreements.Take(40))}");
        Assert.True(wronglyHard <= 0.01, $"wrongly hard {wronglyHard:P2} is over 1 %:\n{string.Join('\n', disagreements.Where(d => d.Contains("→ Hard")))}");
        var rendered = Render(matrix, corpus.Count);
        var documented = File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot(), "docs", "bounce-classification.md"));
        Assert.True(documented.Contains(rendered), "docs/bounce-classification.md does not show the current confusion matrix; paste this test's output there:\n" + rendered);
        var table = rendered[..rendered.IndexOf("\n\n", StringComparison.Ordinal)];
        Assert.True(File.ReadAllText(Path.Combine(TestEnvironment.RepositoryRoot(), "README.md")).Contains(table), "the README does not show the current confusion matrix:\n" + table);
    }

    /// <summary>The matrix as the docs show it: rows are the labels, columns the classifier's answers.</summary>
    private static string Render(int[,] matrix, int total)
    {
        var names = Classes.Select(c => c.ToString().ToLowerInvariant()).ToArray();
        var text = new StringBuilder();
        text.AppendLine($"| label ＼ classified | {string.Join(" | ", names)} | recall |");
        text.AppendLine($"|---|{string.Concat(names.Select(_ => "---:|"))}---:|");
        for (var i = 0; i < names.Length; i++)
        {
            var row = Enumerable.Range(0, names.Length).Sum(j => matrix[i, j]);
            text.AppendLine($"| **{names[i]}** | {string.Join(" | ", Enumerable.Range(0, names.Length).Select(j => matrix[i, j].ToString()))} | {Percent(matrix[i, i], row)} |");
        }
        var precisions = Enumerable.Range(0, names.Length).Select(j => Percent(matrix[j, j], Enumerable.Range(0, names.Length).Sum(i => matrix[i, j])));
        text.AppendLine($"| precision | {string.Join(" | ", precisions)} | |");
        var agreed = Enumerable.Range(0, names.Length).Sum(i => matrix[i, i]);
        var wronglyHard = Enumerable.Range(0, names.Length).Where(i => i != (int)BounceClass.Hard).Sum(i => matrix[i, (int)BounceClass.Hard]);
        text.Append($"\n{total:N0} labelled lines: agreement {Percent(agreed, total)}, wrongly hard {wronglyHard} ({Percent(wronglyHard, total, "F2")}).");
        return text.ToString();
    }

    private static string Percent(int part, int whole, string format = "F1") =>
        whole == 0 ? "–" : (100.0 * part / whole).ToString(format, System.Globalization.CultureInfo.InvariantCulture) + " %";
}
