using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.MailWizz;

/// <summary>MailWizz down, erroring (also after taking effect) and slow: everything still ends synced, exactly once.</summary>
[LongRunning(20)]
public sealed class OutageTests
{
    [Fact]
    public async Task Faults_delay_the_push_but_everything_ends_synced_exactly_once()
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = mailwizz.EngineSettings();
        settings["OUTBOX_RETRY_BASE_MS"] = "250";
        settings["OUTBOX_RETRY_MAX_SECONDS"] = "3";
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        using var client = engine.Client();
        await mailwizz.SetFaultsAsync(new { down_for_seconds = 3, error_rate = 0.3, latency_ms = 20 });

        for (var i = 0; i < 20; i++)
        {
            var created = await client.PostAsJsonAsync("/api/v2/templates",
                new { name = $"t{i}", subject = "Hi [FNAME]", html = $"<p>{i} [FNAME] [COMPANY]</p>", language = "fr", tenant = "client-1" });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            if (i % 4 == 0)
                (await client.PostAsJsonAsync("/api/v2/campaigns", new { name = $"c{i}", template_id = id, tenant = "client-1" })).EnsureSuccessStatusCode();
        }
        var statusWhileDown = (await client.GetFromJsonAsync<JsonElement>("/api/v2/templates/1")).GetProperty("sync").GetProperty("status").GetString();

        await WaitAsync(async () => await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM templates WHERE sync_status = 'synced'") == 20
            && await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM campaigns WHERE sync_status = 'synced'") == 5, TimeSpan.FromSeconds(90),
            () => engine.Postgres.ScalarAsync<string>("SELECT string_agg(resource_key || ' ' || status || ' ' || attempts || ' ' || coalesce(last_error, ''), E'\n') FROM outbox_messages WHERE status <> 'done'"));
        await mailwizz.SetFaultsAsync(new { error_rate = 0.0, latency_ms = 0 });

        Assert.Equal("pending", statusWhileDown);
        var state = await mailwizz.StateAsync();
        Assert.Single(state.GetProperty("lists").EnumerateArray());
        var templates = state.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(20, templates.Count);
        Assert.Equal(20, templates.Distinct().Count());
        Assert.Equal(5, state.GetProperty("campaigns").GetArrayLength());
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'processing', 'failed')"));
    }

    internal static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string?>>? explain = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"condition not reached in time\n{(explain is null ? "" : await explain())}");
            await Task.Delay(250);
        }
    }
}
