using System.Diagnostics;
using EmailEngine.Bench;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizz;

namespace EmailEngine.Tests.Accounting;

/// <summary>SIGKILL the <c>acct ingest</c> process mid-file; the re-run counts every record exactly once.</summary>
[Trait("Category", "Crash")]
public sealed class AcctCrashTests
{
    [Fact]
    public async Task Killed_ingest_resumes_without_double_counting()
    {
        await using var database = await MigratedTemplates.NewPostgresAsync();
        var work = Directory.CreateTempSubdirectory("ee-acct-crash-").FullName;
        var file = Path.Combine(work, "acct.csv");
        AcctFileCounts counts;
        await using (var output = File.Create(file))
            counts = AcctFileGenerator.Write(output, 40_000);
        var environment = new Dictionary<string, string>
        {
            ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = database.Url, ["ACCT_BATCH_SIZE"] = "1000",
        };
        Assert.Equal(0, (await ProcessRunner.EngineAsync(environment, work, "tenants", "create", "client-1")).ExitCode);

        using (var first = StartIngest(environment, work, file))
        {
            await OutageTests.WaitAsync(async () => await database.ScalarAsync<long>("SELECT coalesce(max(records), 0) FROM acct_sources") >= 5_000,
                TimeSpan.FromSeconds(120), () => Task.FromResult<string?>("no batch committed"));
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
        }
        var atKill = await database.ScalarAsync<long>("SELECT records FROM acct_sources");
        Assert.True(atKill < counts.Records, $"the kill came too late to test anything ({atKill} committed)");

        var rerun = await ProcessRunner.RunAsync("dotnet", [TestEnvironment.EngineDll, "acct", "ingest", file], environment, work, TimeSpan.FromMinutes(5));
        Assert.True(rerun.ExitCode == 0, rerun.StdErr + rerun.StdOut);

        Assert.Equal(counts.Records, await database.ScalarAsync<long>("SELECT records FROM acct_sources"));
        Assert.Equal(new FileInfo(file).Length, await database.ScalarAsync<long>("SELECT committed_offset FROM acct_sources"));
        Assert.Equal(counts.Delivered + counts.Bounced, await database.ScalarAsync<long>("SELECT sum(sent) FROM delivery_stats"));
        Assert.Equal(counts.Delivered, await database.ScalarAsync<long>("SELECT sum(delivered) FROM delivery_stats"));
        Assert.Equal(counts.Deferred, await database.ScalarAsync<long>("SELECT sum(deferred) FROM delivery_stats"));
        Assert.Equal(counts.Complaints, await database.ScalarAsync<long>("SELECT sum(complaints) FROM delivery_stats"));
        Assert.Equal(counts.Bounced + counts.RemoteBounces,
            await database.ScalarAsync<long>("SELECT sum(bounced_hard + bounced_soft + bounced_block + bounced_other) FROM delivery_stats"));
        Directory.Delete(work, recursive: true);
    }

    private static Process StartIngest(IDictionary<string, string> environment, string work, string file)
    {
        var info = ProcessRunner.StartInfo("dotnet", [TestEnvironment.EngineDll, "acct", "ingest", file], environment, work);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
