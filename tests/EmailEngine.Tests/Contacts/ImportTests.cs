using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Contacts.Import;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.MailWizz;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Contacts;

[LongRunning(40)]
public sealed class ImportTests
{
    private static async Task<JsonElement> UploadAsync(HttpClient client, string csv, string query, byte[]? prefix = null)
    {
        var body = (prefix ?? []).Concat(Encoding.UTF8.GetBytes(csv)).ToArray();
        var response = await client.PostAsync($"/api/v2/contacts/import?{query}", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        return await WaitForJobAsync(client, id, Finished);
    }

    /// <summary>A job as an upload leaves it (its row, its spooled file unless null, its options), handed to the runner.</summary>
    private static async Task<long> QueueSpooledJobAsync(EngineServer engine, string? csv, string options)
    {
        long id;
        await using (var scope = engine.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<EmailEngine.Data.AppDbContext>();
            var tenant = new EmailEngine.Tenants.Tenant { Slug = "client-1", Name = "client-1" };
            var job = new ImportJob { FileName = "spooled.csv", Status = ImportStatus.Queued, CreatedAt = DateTimeOffset.UtcNow };
            db.Add(tenant);
            await db.SaveChangesAsync();
            job.TenantId = tenant.Id;
            db.Add(job);
            await db.SaveChangesAsync();
            id = job.Id;
        }
        var runner = engine.Services.GetRequiredService<ImportRunner>();
        Directory.CreateDirectory(runner.Directory);
        await File.WriteAllTextAsync(runner.FileOf(id) + ".options.json", options);
        if (csv is not null)
            await File.WriteAllTextAsync(runner.FileOf(id), csv);
        await runner.QueueAsync(id, CancellationToken.None);
        return id;
    }

    private static bool Finished(JsonElement job) => job.GetProperty("status").GetString() is "completed" or "failed";

    private static async Task<JsonElement> WaitForJobAsync(HttpClient client, long id, Func<JsonElement, bool> condition)
    {
        JsonElement job = default;
        await OutageTests.WaitAsync(async () => condition(job = await client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/import/{id}")),
            TimeSpan.FromSeconds(30), () => Task.FromResult<string?>($"the job as last read: {job}"));
        return job;
    }

    [Fact]
    public async Task A_run_the_database_stops_runs_again_from_its_file_with_the_reason_on_the_job()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        await engine.Postgres.ScalarAsync<int>("ALTER TABLE import_staging RENAME TO import_staging_away");

        var response = await client.PostAsync("/api/v2/contacts/import?tenant=client-1", new StringContent("email\na@example.com\nb@example.com\n"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var stopped = await WaitForJobAsync(client, id, job => job.GetProperty("error").ValueKind == JsonValueKind.String);
        await engine.Postgres.ScalarAsync<int>("ALTER TABLE import_staging_away RENAME TO import_staging");
        var completed = await WaitForJobAsync(client, id, Finished);

        Assert.Equal("queued", stopped.GetProperty("status").GetString());
        Assert.Matches(@"^run \d+ stopped \(.*import_staging.*\); it runs again in \d+ s$", stopped.GetProperty("error").GetString());
        Assert.True(completed.GetProperty("status").GetString() == "completed", completed.ToString());
        Assert.Equal(JsonValueKind.Null, completed.GetProperty("error").ValueKind);
        Assert.Equal(2, completed.GetProperty("accepted").GetInt64());
        Assert.Equal(2, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.False(File.Exists(engine.Services.GetRequiredService<ImportRunner>().FileOf(id)));
    }

    [Fact]
    public async Task Engines_on_two_databases_sharing_an_import_directory_each_import_their_own_upload()
    {
        // Both number their first job 1: in one folder, the second upload would replace the first engine's 1.csv.
        var shared = Directory.CreateTempSubdirectory("ee-imports-").FullName;
        try
        {
            var settings = new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off", ["IMPORT_DIR"] = shared };
            await using var first = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
            await using var second = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
            var (firstRunner, secondRunner) = (first.Services.GetRequiredService<ImportRunner>(), second.Services.GetRequiredService<ImportRunner>());
            using var firstClient = first.Client();
            using var secondClient = second.Client();

            var jobs = await Task.WhenAll(UploadAsync(firstClient, "email\nfirst@example.com\n", "tenant=client-1"),
                UploadAsync(secondClient, "email\nsecond@example.com\nsecond.too@example.com\n", "tenant=client-1"));

            Assert.Equal((1, 1), (jobs[0].GetProperty("id").GetInt64(), jobs[1].GetProperty("id").GetInt64()));
            Assert.NotEqual(firstRunner.FileOf(1), secondRunner.FileOf(1));
            Assert.StartsWith(shared, firstRunner.Directory);
            Assert.Equal((1, 2), (jobs[0].GetProperty("accepted").GetInt64(), jobs[1].GetProperty("accepted").GetInt64()));
            Assert.Equal("first@example.com", await first.Postgres.ScalarAsync<string>("SELECT string_agg(email, ',') FROM contacts"));
            Assert.Equal("second.too@example.com,second@example.com",
                await second.Postgres.ScalarAsync<string>("SELECT string_agg(email, ',' ORDER BY email) FROM contacts"));
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }

    [Fact]
    public async Task A_job_whose_upload_is_gone_ends_failed_with_the_reason()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();

        // Its file deleted before its run (by hand, or by another engine given the same directory).
        var id = await QueueSpooledJobAsync(engine, csv: null, options: "{}");
        var failed = await WaitForJobAsync(client, id, Finished);

        Assert.True(failed.GetProperty("status").GetString() == "failed", failed.ToString());
        Assert.Equal(ImportRunner.UploadGone, failed.GetProperty("error").GetString());
        Assert.NotEqual(JsonValueKind.Null, failed.GetProperty("finished_at").ValueKind);
        Assert.False(File.Exists(engine.Services.GetRequiredService<ImportRunner>().FileOf(id) + ".options.json"));
    }

    [Fact]
    public async Task A_run_that_stops_on_an_unexpected_error_ends_failed_with_it_and_leaves_no_file()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        var runner = engine.Services.GetRequiredService<ImportRunner>();

        var id = await QueueSpooledJobAsync(engine, "email\na@example.com\n", "{ not json");
        var failed = await WaitForJobAsync(client, id, Finished);

        Assert.True(failed.GetProperty("status").GetString() == "failed", failed.ToString());
        Assert.StartsWith("the import stopped on an unexpected error: ", failed.GetProperty("error").GetString());
        Assert.False(File.Exists(runner.FileOf(id)));
        Assert.False(File.Exists(runner.FileOf(id) + ".options.json"));
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
    }

    [Fact]
    public async Task A_row_with_a_nul_byte_is_rejected_and_the_job_completes()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();

        var job = await UploadAsync(client, "email,first_name\na@example.com,Ann\nb@example.com,B\0b\nc\u0001@example.com,C\nd@example.com,Dee\n", "tenant=client-1");

        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Equal((2, 2), (job.GetProperty("accepted").GetInt64(), job.GetProperty("rejected").GetInt64()));
        var rejects = (await client.GetStringAsync($"/api/v2/contacts/import/{job.GetProperty("id").GetInt64()}/rejects")).Trim().Split('\n');
        Assert.Equal("3,,column 2 holds the control character U+0000", rejects[1]);
        Assert.Equal("4,,column 1 holds the control character U+0001", rejects[2]);
    }

    [Fact]
    public async Task An_import_leaves_no_unsynced_session_behind_in_the_engines_connection_pool()
    {
        // The import's copier commits without waiting for the disk. Pooled connections are not reset when returned, so
        // had that setting been made with SET on one of the engine's pooled connections, later contacts would be committed
        // the same way on it, and a crash could lose contacts that were answered 202.
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();

        var job = await UploadAsync(client, "email\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"new{i}@example.com\n")), "tenant=client-1");
        Assert.True(job.GetProperty("status").GetString() == "completed" && job.GetProperty("accepted").GetInt64() == 50, job.ToString());

        string connectionString;
        await using (var scope = engine.Services.CreateAsyncScope())
            connectionString = scope.ServiceProvider.GetRequiredService<EmailEngine.Data.AppDbContext>().Database.GetConnectionString()!;
        // Every idle connection of the pool at once (the import used a few), as the engine's next writes would take them.
        var connections = Enumerable.Range(0, 20).Select(_ => new Npgsql.NpgsqlConnection(connectionString)).ToList();
        try
        {
            foreach (var connection in connections)
                await connection.OpenAsync();
            foreach (var connection in connections)
            {
                // Any SET a connection kept (this test's server runs with synchronous_commit off for speed, so its value says nothing).
                await using var sets = new Npgsql.NpgsqlCommand("SELECT coalesce(string_agg(name, ', '), '') FROM pg_settings WHERE source = 'session'", connection);
                Assert.Equal("", await sets.ExecuteScalarAsync());
            }
        }
        finally
        {
            foreach (var connection in connections)
                await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_job_queued_again_runs_once_and_keeps_its_rejects()
    {
        // At start-up the runner sweeps unfinished jobs while uploads may already be queuing theirs: the same job can be
        // handed to it twice, during its run or after it.
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        var runner = engine.Services.GetRequiredService<ImportRunner>();
        var response = await client.PostAsync("/api/v2/contacts/import?tenant=client-1", new StringContent("email\na@example.com\nnot-an-address\n"));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await runner.QueueAsync(id, CancellationToken.None);

        var first = await UploadAsync(client, "email\nb@example.com\n", "tenant=client-1");
        await runner.QueueAsync(id, CancellationToken.None);
        await UploadAsync(client, "email\nc@example.com\n", "tenant=client-1"); // runs after the re-queued job

        var job = await client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts/import/{id}");
        Assert.Equal("completed", first.GetProperty("status").GetString());
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Equal((1, 1), (job.GetProperty("accepted").GetInt64(), job.GetProperty("rejected").GetInt64()));
        var rejects = (await client.GetStringAsync($"/api/v2/contacts/import/{id}/rejects")).Trim().Split('\n');
        Assert.Equal(2, rejects.Length);
        Assert.StartsWith("3,not-an-address,", rejects[1]);
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_is_413_and_leaves_no_job()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres,
            extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off", ["IMPORT_MAX_BYTES"] = "1000" });
        using var client = engine.Client();
        var csv = "email\n" + string.Concat(Enumerable.Range(0, 200).Select(i => $"user{i}@example.com\n"));

        var declared = await client.PostAsync("/api/v2/contacts/import?tenant=client-1", new StringContent(csv));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(csv)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v2/contacts/import?tenant=client-1") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await client.SendAsync(request);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, HttpStatusCode.RequestEntityTooLarge), (declared.StatusCode, streamed.StatusCode));
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM import_jobs"));
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/v2/contacts/import?tenant=client-1", new StringContent("email\na@example.com\n"))).StatusCode);
    }

    [Fact]
    public async Task On_sqlite_a_bulk_import_is_refused_at_once_and_nothing_is_queued()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite);
        using var client = engine.Client();

        var response = await client.PostAsync("/api/v2/contacts/import?tenant=client-1", new StringContent("email\na@example.com\n"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("needs PostgreSQL", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v2/contacts/import/1")).StatusCode);
    }

    [Fact]
    public async Task Mixed_file_gives_exact_counts_and_reasons_and_pushes_in_bulk()
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = mailwizz.EngineSettings();
        settings["OUTBOX_WORKER"] = "off";
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        using var client = engine.Client();
        await client.PostAsJsonAsync("/api/v2/suppressions", new { email = "blocked@example.com", reason = "hard_bounce", tenant = "client-1" });
        var csv = "Courriel;Prénom;Nom;Société;Langue;Ville\r\n"
            + "ana@example.com;Ana;Silva;\"Acme; Inc.\";fr;Lyon\r\n"
            + "not-an-address;X;Y;Z;fr;Paris\r\n"
            + "bob@example.com;Bob;Martin;;fr;\"Saint-\"\"Étienne\"\"\"\r\n"
            + "short;row\r\n"
            + "ANA@example.com;Anabela;;;fr;\r\n"
            + "blocked@example.com;B;L;;fr;Nice\r\n"
            + "c@[10.0.0.1];C;D;;fr;\r\n"
            + "\"multi\r\nline\"@example.com;M;L;;fr;\r\n";

        var job = await UploadAsync(client, csv, "tenant=client-1&mapping=" + Uri.EscapeDataString("""{"Ville": "fields.CITY"}"""),
            prefix: Encoding.UTF8.GetPreamble());

        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Equal(8, job.GetProperty("rows").GetInt64());
        Assert.Equal(4, job.GetProperty("accepted").GetInt64());
        Assert.Equal(4, job.GetProperty("rejected").GetInt64());
        Assert.Equal(1, job.GetProperty("duplicates").GetInt64());
        Assert.Equal(3, job.GetProperty("inserted").GetInt64());
        Assert.Equal(1, job.GetProperty("suppressed").GetInt64());
        var rejects = (await client.GetStringAsync($"/api/v2/contacts/import/{job.GetProperty("id").GetInt64()}/rejects")).Trim().Split('\n');
        Assert.Equal("row,value,reason", rejects[0]);
        Assert.StartsWith("3,not-an-address,", rejects[1]);
        Assert.Contains("(missing_at)", rejects[1]);
        Assert.Equal("5,,\"expected 6 columns, found 2\"", rejects[2]);
        Assert.StartsWith("8,c@[10.0.0.1],", rejects[3]);
        Assert.Contains("(ip_literal_domain)", rejects[3]);
        Assert.StartsWith("9,\"multi", rejects[4]); // a badly quoted multi-line field is one rejected row
        Assert.EndsWith("(contains_whitespace)", rejects[5]);

        var ana = (await client.GetFromJsonAsync<JsonElement>("/api/v2/contacts?email=ana@example.com")).GetProperty("items")[0];
        Assert.Equal("Anabela", ana.GetProperty("first_name").GetString()); // the later row of the file wins, whole
        Assert.Equal(JsonValueKind.Null, ana.GetProperty("last_name").ValueKind);
        var bob = (await client.GetFromJsonAsync<JsonElement>("/api/v2/contacts?email=bob@example.com")).GetProperty("items")[0];
        Assert.Equal("Saint-\"Étienne\"", bob.GetProperty("fields").GetProperty("CITY").GetString());

        // A later import updates existing contacts; its empty cells keep what is stored.
        var update = await UploadAsync(client, "email,first_name,last_name\nbob@example.com,,Martin-Durand\n", "tenant=client-1");
        Assert.Equal(1, update.GetProperty("updated").GetInt64());
        bob = (await client.GetFromJsonAsync<JsonElement>("/api/v2/contacts?email=bob@example.com")).GetProperty("items")[0];
        Assert.Equal(("Bob", "Martin-Durand"), (bob.GetProperty("first_name").GetString(), bob.GetProperty("last_name").GetString()));

        await engine.SyncAllAsync();
        var state = await mailwizz.StateAsync();
        var subscribers = state.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "ee:client-1:fr").GetProperty("subscribers").EnumerateArray()
            .Select(s => (s.GetProperty("email").GetString(), s.GetProperty("fields").GetProperty("COMPANY").GetString())).Order().ToList();
        // Neither has a company of its own: [COMPANY] is the operator's (COMPANY_NAME), as on the list, never the tenant slug.
        Assert.Equal([("ANA@example.com", "SOS Holidays SARL"), ("bob@example.com", "SOS Holidays SARL")], subscribers);
        Assert.Contains("/subscribers/bulk", string.Join(' ', (await new HttpClient().GetFromJsonAsync<JsonElement>(new Uri(mailwizz.Root, "/_standin/requests")))
            .EnumerateArray().Select(r => r.GetProperty("Path").GetString())));
    }

    [Fact]
    public async Task Subscribers_of_two_autoresponders_reach_their_lists_in_full_batches_each_sent_once()
    {
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        var settings = mailwizz.EngineSettings();
        settings["OUTBOX_WORKER"] = "off";
        // Batches of 1,000 instead of MailWizz's 10,000: the same batching, a tenth of the rows to import and push.
        settings["MAILWIZZ_BULK_MAX"] = "1000";
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        using var client = engine.Client();
        // French and English rows alternate: each batch takes one autoresponder's contacts from where its last ended.
        var file = new StringBuilder("email,first_name,language\n");
        for (var i = 0; i < 2_400; i++)
            file.Append($"user{i}@example.com,U{i},{(i % 2 == 0 ? "fr" : "en")}\n");
        var job = await UploadAsync(client, file.ToString(), "tenant=client-1");
        Assert.Equal(2_400, job.GetProperty("inserted").GetInt64());

        await engine.SyncAllAsync(TimeSpan.FromSeconds(60));

        var state = await mailwizz.StateAsync();
        int Subscribers(string list) => state.GetProperty("lists").EnumerateArray().Single(l => l.GetProperty("name").GetString() == list)
            .GetProperty("subscribers").GetArrayLength();
        Assert.Equal((1_200, 1_200), (Subscribers("ee:client-1:fr"), Subscribers("ee:client-1:en")));
        var requests = await new HttpClient().GetFromJsonAsync<JsonElement>(new Uri(mailwizz.Root, "/_standin/requests"));
        Assert.Equal(4, requests.EnumerateArray().Count(r => r.GetProperty("Path").GetString()!.Contains("/subscribers/bulk"))); // 1,000 + 200 a list
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts WHERE sync_status = 'pending'"));
    }

    [Fact]
    public async Task Addresses_the_tenant_already_has_midway_through_a_large_file_are_updated_not_duplicated()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        // Rows 30,000-30,009 of the big file already exist: they sit in its second chunk of new contacts, after the
        // first chunk has gone straight into contacts.
        var existing = new StringBuilder("email,first_name,company\n");
        for (var i = 30_000; i < 30_010; i++)
            existing.Append($"user{i}@example.com,Old{i},Old Co\n");
        Assert.Equal(10, (await UploadAsync(client, existing.ToString(), "tenant=client-1")).GetProperty("inserted").GetInt64());

        var file = new StringBuilder("email,first_name,company\n");
        for (var i = 0; i < 50_000; i++)
            file.Append(i == 30_005 ? $"user{i}@example.com,New{i},\n" : $"user{i}@example.com,New{i},New Co\n");
        file.Append("USER49999@example.com,Last,\n"); // a repeat of the file's own last address, after everything
        var job = await UploadAsync(client, file.ToString(), "tenant=client-1");

        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Equal(50_001, job.GetProperty("accepted").GetInt64());
        Assert.Equal(49_990, job.GetProperty("inserted").GetInt64());
        Assert.Equal(10, job.GetProperty("updated").GetInt64());
        Assert.Equal(1, job.GetProperty("duplicates").GetInt64());
        var contact = async (string email) => (await client.GetFromJsonAsync<JsonElement>($"/api/v2/contacts?email={email}")).GetProperty("items");
        var updated = (await contact("user30005@example.com"))[0];
        Assert.Equal(("New30005", "Old Co"), (updated.GetProperty("first_name").GetString(), updated.GetProperty("company").GetString())); // empty cell keeps
        var last = await contact("user49999@example.com");
        Assert.Equal(1, last.GetArrayLength());
        Assert.Equal(("USER49999@example.com", "Last"), (last[0].GetProperty("email").GetString(), last[0].GetProperty("first_name").GetString()));
        Assert.Equal(JsonValueKind.Null, last[0].GetProperty("company").ValueKind); // the later row of the file wins, whole
        // Intake, the COPY path and the merge all key contacts by the same hash as the migration's backfill computes.
        Assert.Equal(50_000, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>(
            "SELECT count(*) FROM contacts WHERE key_hash <> substr(encode(sha256(convert_to(email_key, 'UTF8')), 'hex'), 1, 32)::uuid"));
    }

    [Fact]
    [Trait("Category", "Crash")]
    public async Task Import_killed_midway_completes_on_rerun_without_duplicates()
    {
        await using var database = await MigratedTemplates.NewPostgresAsync();
        var environment = new Dictionary<string, string> { ["API_KEY"] = "email_engine_v2_key", ["DATABASE_URL"] = database.Url };
        var directory = Directory.CreateTempSubdirectory("ee-import-").FullName;
        var file = Path.Combine(directory, "contacts.csv");
        // Four chunks of new contacts (80,000 addresses), so that three are still to come when the first is seen committed,
        // then one chunk's worth of rows updating earlier ones (100,000 rows).
        const int addresses = 4 * NewContactCopier.ChunkRows, rows = addresses + NewContactCopier.ChunkRows;
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync("email,first_name");
            for (var i = 0; i < rows; i++)
                await writer.WriteLineAsync($"user{i % addresses}@example.com,U{i}");
        }

        // An import of this size can take a minute beside the rest of the suite and the simulations: the timeout only tells
        // a hung import from a slow one.
        var hung = TimeSpan.FromMinutes(4);
        System.Diagnostics.Process? importer = null;
        var first = ProcessRunner.EngineAsync(environment, directory, process => importer = process, hung, "contacts", "import", file, "--tenant", "client-1");
        // New contacts are committed chunk by chunk: kill the import once some are, long before the file is done.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await database.ScalarAsync<long>("SELECT count(*) FROM contacts") == 0 && !first.IsCompleted && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.False(first.IsCompleted, "the import finished before it could be killed");
        importer!.Kill(); // SIGKILL, this process only
        await Task.WhenAny(first, Task.Delay(10_000));
        Assert.InRange(await database.ScalarAsync<long>("SELECT count(*) FROM contacts"), 1, addresses - 1); // half-done, as a crash leaves it

        var rerun = await ProcessRunner.EngineAsync(environment, directory, started: null, hung, "contacts", "import", file, "--tenant", "client-1");
        Assert.True(rerun.ExitCode == 0, rerun.StdOut + rerun.StdErr);
        var again = await ProcessRunner.EngineAsync(environment, directory, started: null, hung, "contacts", "import", file, "--tenant", "client-1");
        Assert.Equal(0, again.ExitCode);

        Assert.Equal(addresses, await database.ScalarAsync<long>("SELECT count(*) FROM contacts"));
        Assert.Equal(addresses, await database.ScalarAsync<long>("SELECT count(DISTINCT email_key) FROM contacts"));
        Assert.Equal($"U{rows - 1}", await database.ScalarAsync<string>($"SELECT first_name FROM contacts WHERE email_key = 'user{(rows - 1) % addresses}@example.com'"));
        Directory.Delete(directory, true);
    }
}
