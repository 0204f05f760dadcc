using EmailEngine.Deliverability;

namespace EmailEngine.Tests.Deliverability;

/// <summary>Real-world-style diagnostics from providers' public error pages, each with the class expected.</summary>
public sealed class BounceClassifierTests
{
    /// <summary>The provider texts; the whole corpus is measured by <see cref="BounceCorpusTests"/>.</summary>
    public static TheoryData<string, string, string, string, string> Diagnostics()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var line in BounceCorpus.Load().Where(line => line.Source == "diagnostics.tsv"))
            data.Add(line.Type, line.BounceCat ?? "", line.Status ?? "", line.Diagnostic ?? "", line.Expected.ToString().ToLowerInvariant());
        return data;
    }

    [Theory]
    [MemberData(nameof(Diagnostics))]
    public void Diagnostic_gets_its_class(string type, string bounceCat, string status, string diagnostic, string expected)
    {
        var (@class, why) = BounceClassifier.Classify(type, bounceCat.Length == 0 ? null : bounceCat, status.Length == 0 ? null : status,
            diagnostic.Length == 0 ? null : diagnostic);

        Assert.True(expected == @class.ToString().ToLowerInvariant(), $"got {@class} ({why})");
    }

    [Fact]
    public void Repeated_texts_get_the_class_of_their_first_reading_and_mixed_case_texts_match_the_rules()
    {
        var rows = Diagnostics().Select(row => ((string)row[0], Nullable((string)row[1]), Nullable((string)row[2]), Nullable((string)row[3]))).ToList();
        var first = rows.Select(r => BounceClassifier.Classify(r.Item1, r.Item2, r.Item3, r.Item4)).ToList();
        // Interleaved so that entries are replaced in the cache as well as found in it.
        for (var round = 0; round < 3; round++)
            for (var i = rows.Count - 1; i >= 0; i--)
                Assert.Equal(first[i], BounceClassifier.Classify(rows[i].Item1, rows[i].Item2, rows[i].Item3, rows[i].Item4));

        Assert.Equal(BounceClass.Block, BounceClassifier.Classify("b", null, "5.7.1", "SMTP;550 5.7.1 BLOCKED USING SPAMHAUS").Class);
        Assert.Equal(BounceClass.Block, BounceClassifier.Classify("t", null, "4.7.0", "421 4.7.0 [TSS04] Messages From 203.0.113.3 Temporarily Deferred").Class);
        Assert.Equal(BounceClass.Hard, BounceClassifier.Classify("b", null, null, "550 User Unknown").Class);
    }

    private static string? Nullable(string cell) => cell.Length == 0 ? null : cell;
}
