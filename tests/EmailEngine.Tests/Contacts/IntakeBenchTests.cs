using System.Text.RegularExpressions;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Contacts;

/// <summary>
/// The benchmarks' program runs <c>bench intake</c> on PostgreSQL (migrating it first) and prints both measures and
/// their ratio (the way through <c>./run bench</c> is <see cref="MailWizz.PushBenchTests"/>'s). The figures are the
/// benchmark's to report, not this test's to judge.
/// </summary>
[Trait("Category", "Bench")]
public sealed class IntakeBenchTests
{
    [Fact]
    public async Task Bench_intake_on_postgresql_prints_the_get_baseline_the_post_figures_and_their_ratio()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var run = await ProcessRunner.RunAsync("dotnet", [TestEnvironment.BenchDll, "intake", "--requests", "200", "--concurrency", "8"],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["DATABASE_URL"] = database.Url }, timeout: TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("engine on PostgreSQL (DATABASE_URL), 200 requests per measure, concurrency 8", run.StdOut);
        Assert.Matches(@"GET /api/v1/ips \(baseline\): +[\d,]+ req/s, p50 [\d.,]+ ms, p99 [\d.,]+ ms", run.StdOut);
        Assert.Matches(@"POST /api/v2/contacts \(new\): [\d,]+ req/s, p50 [\d.,]+ ms, p99 [\d.,]+ ms", run.StdOut);
        Assert.Matches(new Regex(@"^intake: [\d,]+ contacts/s, p99 [\d.,]+ ms; ratio to the GET baseline [\d.,]+$", RegexOptions.Multiline),
            run.StdOut.ReplaceLineEndings("\n"));
    }
}
