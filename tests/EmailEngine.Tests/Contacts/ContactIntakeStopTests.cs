using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizz;

namespace EmailEngine.Tests.Contacts;

/// <summary>
/// The engine stopped in the middle of a burst of new contacts, by SIGKILL and by SIGTERM: every contact it answered
/// 202 for is stored with its timeline and its push (written together or not at all), no request is answered 500, and
/// sending the same contacts again afterwards stores each exactly once.
/// </summary>
[Trait("Category", "Crash")]
[LongRunning(30)]
public sealed class ContactIntakeStopTests
{
    private const int Contacts = 800;
    private const int StopAfter = 200;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_engine_stopped_mid_burst_keeps_every_answered_contact_with_its_push(bool graceful)
    {
        await using var database = await MigratedTemplates.NewPostgresAsync();
        var environment = new Dictionary<string, string>
        {
            ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = database.Url, ["OUTBOX_WORKER"] = "off",
        };
        var port = LoopbackPorts.Free();
        var answered = new ConcurrentDictionary<string, HttpStatusCode>();
        // Set by the 200th answer itself: a poll could wake after the whole burst on a busy machine.
        var stopNow = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        using (var engine = await EngineProcess.StartAsync(environment, port))
        {
            using var client = Client(engine.BaseAddress);
            var burst = Parallel.ForEachAsync(Enumerable.Range(0, Contacts), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                try
                {
                    using var response = await client.PostAsJsonAsync("/api/v2/contacts", new { email = $"c{i}@stop.example.com", tenant = "stop", language = "fr" });
                    answered[$"c{i}@stop.example.com"] = response.StatusCode;
                    if (answered.Count >= StopAfter)
                        stopNow.TrySetResult();
                }
                catch (HttpRequestException)
                {
                    // The engine went away before answering: the caller does not know, and will send it again.
                }
            });
            await stopNow.Task.WaitAsync(TimeSpan.FromSeconds(60));
            if (graceful)
                await engine.TerminateAsync(TimeSpan.FromSeconds(30));
            else
                engine.Kill();
            await burst;
        }

        Assert.True(answered.Count < Contacts, $"the stop came after the burst ({answered.Count} answered): nothing was tested");
        Assert.All(answered, a => Assert.True(a.Value is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, $"{a.Key}: {(int)a.Value}"));
        var accepted = answered.Where(a => a.Value == HttpStatusCode.Accepted).Select(a => a.Key).ToList();
        var stored = await database.ScalarAsync<long>("SELECT count(*) FROM contacts");
        Assert.True(stored >= accepted.Count, $"{accepted.Count} accepted, {stored} stored");
        foreach (var email in accepted.Take(50))
            Assert.Equal(1, await database.ScalarAsync<long>($"SELECT count(*) FROM contacts WHERE email = '{email}'"));
        // Written together or not at all: no stored contact lacks its push or its 'stored' event.
        Assert.Equal(0, await database.ScalarAsync<long>(
            "SELECT count(*) FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.resource_key = 'contact:' || c.id)"));
        Assert.Equal(0, await database.ScalarAsync<long>(
            "SELECT count(*) FROM contacts c WHERE NOT EXISTS (SELECT 1 FROM contact_events e WHERE e.contact_id = c.id AND e.type = 'stored')"));

        using (var engine = await EngineProcess.StartAsync(environment, port))
        {
            using var client = Client(engine.BaseAddress);
            await Parallel.ForEachAsync(Enumerable.Range(0, Contacts), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            {
                using var response = await client.PostAsJsonAsync("/api/v2/contacts", new { email = $"c{i}@stop.example.com", tenant = "stop", language = "fr" });
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            });
        }
        Assert.Equal(Contacts, await database.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(Contacts, await database.ScalarAsync<long>("SELECT count(DISTINCT email) FROM contacts"));
    }

    private static HttpClient Client(Uri baseAddress)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-API-KEY", "email_engine_v2_key");
        return client;
    }
}
