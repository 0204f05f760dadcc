using System.Text.RegularExpressions;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// <c>./run bench push</c> runs as a user runs it, through the script (stand-in and engines as child processes), and
/// prints its figures. The figures themselves are the benchmark's to report, not this test's to judge: a timed assertion
/// would only measure the machine.
/// </summary>
[Trait("Category", "Bench")]
[LongRunning(45)]
public sealed class PushBenchTests
{
    [Fact]
    public async Task Bench_push_drains_both_backlogs_and_prints_the_rate_the_baseline_and_their_ratio()
    {
        // The script finds the benchmarks' program built by ./test and up to date; its home (the .env it makes) is a scratch one.
        // It starts six processes one after another, beside the simulations at real-time priority: about 3 minutes in a
        // full run, more when they starve it. The timeout only tells a hung run from a slow one.
        var home = Directory.CreateTempSubdirectory("ee-bench-home-").FullName;
        ProcessResult run;
        try
        {
            run = await ProcessRunner.RunAsync(Path.Combine(TestEnvironment.RepositoryRoot(), "run"), ["bench", "push", "--contacts", "60", "--baseline-contacts", "5"],
                new Dictionary<string, string> { ["EMAIL_ENGINE_HOME"] = home }, timeout: TimeSpan.FromMinutes(8));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Matches(@"one push per call \(OUTBOX_GROUP_MAX=1\): all 5 in MailWizz [\d.]+ s after the engine answered", run.StdOut);
        Assert.Matches(@"grouped \(bulk call per list\): all 60 in MailWizz [\d.]+ s after the engine answered", run.StdOut);
        Assert.Matches(new Regex(@"^push: [\d,]+ contacts/s grouped vs [\d.,]+ contacts/s one per call: ratio [\d.,]+x; a lone contact reached MailWizz in [\d.]+ s$",
            RegexOptions.Multiline), run.StdOut.ReplaceLineEndings("\n"));
    }
}
