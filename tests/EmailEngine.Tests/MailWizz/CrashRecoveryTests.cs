using System.Net.Http.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.MailWizz;

/// <summary>SIGKILL the engine in the middle of pushing 500 templates; after a restart all are synced, none twice.</summary>
[Trait("Category", "Crash")]
[LongRunning(30)]
public sealed class CrashRecoveryTests
{
    private const int Templates = 500;

    [Fact]
    public async Task Killed_engine_resumes_the_sync_without_duplicates()
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        await using var database = await MigratedTemplates.NewPostgresAsync();
        var environment = mailwizz.EngineSettings();
        environment["API_KEY"] = "email_engine_v2_key";
        environment["DATABASE_URL"] = database.Url;
        environment["OUTBOX_LEASE_SECONDS"] = "3";
        environment["OUTBOX_RETRY_BASE_MS"] = "200";
        environment["OUTBOX_RETRY_MAX_SECONDS"] = "2";
        // MailWizz is down while the templates are created, then comes back slow enough for the kill to land mid-sync.
        await mailwizz.SetFaultsAsync(new { down_for_seconds = 600, latency_ms = 5 });

        var port = LoopbackPorts.Free();
        using (var first = await EngineProcess.StartAsync(environment, port))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            client.DefaultRequestHeaders.Add("X-API-KEY", "email_engine_v2_key");
            await Parallel.ForEachAsync(Enumerable.Range(0, Templates), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
                (await client.PostAsJsonAsync("/api/v2/templates",
                    new { name = $"t{i:D4}", subject = "s [FNAME]", html = $"<p>{i}</p>", language = "fr", tenant = "client-1" }, ct)).EnsureSuccessStatusCode());
            await mailwizz.SetFaultsAsync(new { down_for_seconds = 0 });
            await OutageTests.WaitAsync(async () => (await mailwizz.StateAsync()).GetProperty("templates").GetArrayLength() >= Templates / 10, TimeSpan.FromSeconds(60),
                () => Explain(database));
            first.Kill();
        }
        var pushedAtKill = (await mailwizz.StateAsync()).GetProperty("templates").GetArrayLength();
        Assert.True(pushedAtKill < Templates, $"the kill came too late to test anything ({pushedAtKill} pushed)");
        await mailwizz.SetFaultsAsync(new { latency_ms = 0 });

        using (await EngineProcess.StartAsync(environment, port))
            await OutageTests.WaitAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM templates WHERE sync_status = 'synced'") == Templates,
                TimeSpan.FromSeconds(180), () => Explain(database));

        var names = (await mailwizz.StateAsync()).GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(Templates, names.Count);
        Assert.Equal(Templates, names.Distinct().Count());
        Assert.Single((await mailwizz.StateAsync()).GetProperty("lists").EnumerateArray());
    }

    private static Task<string?> Explain(PostgresDatabase database) => database.ScalarAsync<string>(
        "SELECT string_agg(status || ' x' || n || ' e.g. ' || coalesce(err, ''), E'\n') FROM (SELECT status, count(*) n, max(last_error) err FROM outbox_messages GROUP BY status) s");
}
