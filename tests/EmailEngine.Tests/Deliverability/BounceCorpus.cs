using EmailEngine.Deliverability;

namespace EmailEngine.Tests.Deliverability;

/// <summary>One labelled accounting record: what PowerMTA wrote and the class the corpus says it deserves.</summary>
internal sealed record LabelledBounce(string Type, string? BounceCat, string? Status, string? Diagnostic, BounceClass Expected, string Source);

/// <summary>
/// The labelled corpora: provider texts from their public error pages (<c>diagnostics.tsv</c>) and sisimai's phrase
/// tables, provider tables and real bounce mails (<c>bounce-corpus.tsv</c>, BSD-2, provenance on every line and in
/// <c>bounce-corpus.NOTICE.md</c>).
/// </summary>
internal static class BounceCorpus
{
    public static IReadOnlyList<LabelledBounce> Load() =>
        new[] { "diagnostics.tsv", "bounce-corpus.tsv" }.SelectMany(file =>
            File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Deliverability", "Fixtures", file))
                .Where(line => line.Length > 0 && line[0] != '#')
                .Select(line => line.Split('\t'))
                .Select(cells => new LabelledBounce(cells[0], Nullable(cells[1]), Nullable(cells[2]), Nullable(cells[3]),
                    Enum.Parse<BounceClass>(cells[4], ignoreCase: true), cells.Length > 6 ? cells[6] : file)))
            .ToList();

    private static string? Nullable(string cell) => cell.Length == 0 ? null : cell;
}
