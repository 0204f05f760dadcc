using System.Security.Cryptography;
using System.Text.RegularExpressions;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Accounting;

/// <summary>
/// <c>./run bench acct</c> on PostgreSQL prints the end-to-end ingest beside parse + classify: every generated
/// record committed, the suppressions and webhook deliveries it caused, and the ratio. The speed is the benchmark's to
/// report, not this test's to judge.
/// </summary>
[Trait("Category", "Bench")]
public sealed class AcctBenchTests
{
    [Fact]
    public async Task Bench_acct_on_postgresql_prints_the_end_to_end_ingest_and_its_ratio_to_parse_and_classify()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var run = await ProcessRunner.RunAsync("dotnet", [TestEnvironment.BenchDll, "acct", "--records", "20000", "--ingest-records", "5000"],
            new Dictionary<string, string>
            {
                ["DOTNET_NOLOGO"] = "1", ["API_KEY"] = "bench-operator-key", ["DATABASE_URL"] = database.Url, ["DKIM_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            }, timeout: TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        var output = run.StdOut.ReplaceLineEndings("\n");
        var ingest = Regex.Match(output,
            @"^end-to-end ingest on PostgreSQL: 5,000 records committed with their hourly stats in [\d.]+ s = [\d,]+ records/s \(([\d,]+) suppressions, ([\d,]+) webhook deliveries queued\)$",
            RegexOptions.Multiline);
        Assert.True(ingest.Success, output);
        Assert.True(int.Parse(ingest.Groups[1].Value.Replace(",", "")) > 0, output);
        Assert.True(int.Parse(ingest.Groups[2].Value.Replace(",", "")) > 0, output);
        Assert.Matches(new Regex(@"^  parse \+ classify of the same file: [\d,]+ records/s; ingest ratio to it [\d.]+$", RegexOptions.Multiline), output);
    }
}
