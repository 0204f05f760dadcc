using EmailEngine.Deliverability;

namespace EmailEngine.Tests.Deliverability;

/// <summary>Real-world-style diagnostics from providers' public error pages, each with the class expected.</summary>
public sealed class BounceClassifierTests
{
    public static TheoryData<string, string, string, string, string> Diagnostics()
    {
        var data = new TheoryData<string, string, string, string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Deliverability", "Fixtures", "diagnostics.tsv")))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            var cells = line.Split('\t');
            data.Add(cells[0], cells[1], cells[2], cells[3], cells[4]);
        }
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
}
