using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.MailWizz.DeliveryServers;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Warmup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sylvan.Data.Csv;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// The engine writes each IP's MailWizz delivery server (quotas from the warmup, status from the IP) into a real MariaDB
/// holding MailWizz's documented tables, and never touches the password or the serialized meta data.
/// </summary>
public sealed class DeliveryServerSyncTests
{
    private const string First = "203.0.113.10", Second = "203.0.113.11";

    private static Task<EngineServer> StartAsync(MariaDatabase? mailWizz, string prefix = "mw_", Provider provider = Provider.Sqlite) =>
        EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string>
        {
            ["WARMUP_WORKER"] = "off", ["OUTBOX_WORKER"] = "off", ["PMTA_SSH_HOST"] = "pmta1.example.net",
            ["MAILWIZZ_DB_URL"] = mailWizz?.Url ?? "", ["MAILWIZZ_DB_TABLE_PREFIX"] = prefix,
        });

    private static async Task<JsonElement> RegisterAsync(HttpClient client, string ip, string status = "warming")
    {
        var response = await client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The IP's quota today as the warmup API states it.</summary>
    private static async Task<int> DailyQuotaAsync(HttpClient client, long ipId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{ipId}")).GetProperty("warmup").GetProperty("daily_quota").GetInt32();

    private static async Task<JsonElement> SyncAsync(HttpClient client)
    {
        var response = await client.PostAsync("/api/v1/mailwizz/delivery-servers/sync", null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body;
    }

    /// <summary>A 24th of the day, never 0 (MailWizz's "unlimited").</summary>
    private static int HourlyOf(int daily) => Math.Max(1, daily / 24);

    private static JsonElement ServerOf(JsonElement body, long ipId) =>
        body.GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("ip_id").GetInt64() == ipId);

    private static async Task SyncDueAsync(EngineServer server, TimeProvider? clock = null, MailWizzDatabase? gateway = null)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var sync = ActivatorUtilities.CreateInstance<DeliveryServerSync>(scope.ServiceProvider,
            [.. new object?[] { clock, gateway }.OfType<object>()]);
        await sync.SyncAsync(everything: false, CancellationToken.None);
    }

    [Fact]
    public async Task Quotas_follow_the_warmup_a_paused_ip_disables_its_server_and_secrets_stay_untouched()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync();
        await using var server = await StartAsync(mailWizz);
        using var client = server.Client();
        var first = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var second = (await RegisterAsync(client, Second)).GetProperty("id").GetInt64();
        // Created from the import CSV (found by name), and by hand (linked by id).
        var firstServer = await mailWizz.AddServerAsync($"EE vmta-{first} {First}", $"vmta-{first}");
        var secondServer = await mailWizz.AddServerAsync("pmta ip 2", $"vmta-{second}");
        var secrets = (First: (await mailWizz.ServerAsync(firstServer)).Secrets, Second: (await mailWizz.ServerAsync(secondServer)).Secrets);
        (await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{second}", new { server_id = secondServer })).EnsureSuccessStatusCode();

        var body = await SyncAsync(client);

        var daily = await DailyQuotaAsync(client, first);
        var row = await mailWizz.ServerAsync(firstServer);
        Assert.Equal(("active", HourlyOf(daily), daily, 0, (int?)null), (row.Status, row.HourlyQuota, row.DailyQuota, row.MonthlyQuota, row.WarmupPlanId));
        Assert.Equal(firstServer, ServerOf(body, first).GetProperty("server_id").GetInt32());
        Assert.Equal("written", ServerOf(body, first).GetProperty("outcome").GetString());
        Assert.Equal("active", (await mailWizz.ServerAsync(secondServer)).Status);

        // A warmup decision and a pause reach MailWizz at the worker's next round, without anyone asking.
        (await client.PostAsJsonAsync($"/api/v1/ips/{first}/warmup/override", new { action = "skip_to_day", day = 30, reason = "migrated IP" })).EnsureSuccessStatusCode();
        (await client.PatchAsJsonAsync($"/api/v1/ips/{second}", new { status = "paused" })).EnsureSuccessStatusCode();
        await SyncDueAsync(server);

        var grown = await DailyQuotaAsync(client, first);
        Assert.True(grown >= 48, $"day 30 quota {grown}");
        row = await mailWizz.ServerAsync(firstServer);
        Assert.Equal(("active", grown / 24, grown), (row.Status, row.HourlyQuota, row.DailyQuota));
        var paused = await mailWizz.ServerAsync(secondServer);
        Assert.Equal(("disabled", 1, 1), (paused.Status, paused.HourlyQuota, paused.DailyQuota));
        Assert.Equal(secrets, (row.Secrets, paused.Secrets));
    }

    [Fact]
    public async Task A_missing_row_or_a_mailwizz_warmup_plan_is_reported_and_nothing_is_written()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync();
        await using var server = await StartAsync(mailWizz);
        using var client = server.Client();
        var gone = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var planned = (await RegisterAsync(client, Second)).GetProperty("id").GetInt64();
        var withPlan = await mailWizz.AddServerAsync("with plan", $"vmta-{planned}", warmupPlanId: 3);
        (await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{gone}", new { server_id = 999 })).EnsureSuccessStatusCode();
        (await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{planned}", new { server_id = withPlan })).EnsureSuccessStatusCode();

        var body = await SyncAsync(client);

        var missing = ServerOf(body, gone);
        Assert.Equal("missing", missing.GetProperty("outcome").GetString());
        Assert.Contains("999", missing.GetProperty("detail").GetString());
        Assert.Equal(1, missing.GetProperty("failures").GetInt32());
        Assert.Equal(JsonValueKind.Null, missing.GetProperty("written").ValueKind);
        Assert.Equal("warmup-plan", ServerOf(body, planned).GetProperty("outcome").GetString());
        var row = await mailWizz.ServerAsync(withPlan);
        Assert.Equal(("inactive", 0, 0, (int?)3), (row.Status, row.HourlyQuota, row.DailyQuota, row.WarmupPlanId));
        // The report stays readable afterwards.
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/v1/mailwizz/delivery-servers");
        Assert.Equal("missing", ServerOf(listed, gone).GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task The_table_prefix_is_honoured()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync("mw_", "mail_");
        await using var server = await StartAsync(mailWizz, prefix: "mail_", provider: Provider.Postgres);
        using var client = server.Client();
        var ip = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var prefixed = await mailWizz.AddServerAsync($"EE vmta-{ip} {First}", $"vmta-{ip}", prefix: "mail_");
        var decoy = await mailWizz.AddServerAsync($"EE vmta-{ip} {First}", $"vmta-{ip}", prefix: "mw_");
        Assert.Equal(prefixed, decoy);

        await SyncAsync(client);

        Assert.Equal(("active", await DailyQuotaAsync(client, ip)), ((await mailWizz.ServerAsync(prefixed, "mail_")).Status, (await mailWizz.ServerAsync(prefixed, "mail_")).DailyQuota));
        Assert.Equal(("inactive", 0), ((await mailWizz.ServerAsync(decoy, "mw_")).Status, (await mailWizz.ServerAsync(decoy, "mw_")).DailyQuota));
    }

    [Fact]
    public async Task With_mariadb_down_the_sync_retries_later_and_writes_the_latest_values()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync();
        await using var server = await StartAsync(mailWizz);
        using var client = server.Client();
        var ip = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var serverId = await mailWizz.AddServerAsync($"EE vmta-{ip} {First}", $"vmta-{ip}");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // The same database behind a port nobody listens on: connection refused.
        var down = new MailWizzDatabase(server.Services.GetRequiredService<DeliveryServerOptions>() with
        {
            ConnectionString = new MySqlConnector.MySqlConnectionStringBuilder(mailWizz.ConnectionString) { Port = (uint)LoopbackPorts.Free() }.ConnectionString,
        });

        await SyncDueAsync(server, clock, down);
        // Meanwhile the IP is paused: the value to write changed while MariaDB was down.
        (await client.PatchAsJsonAsync($"/api/v1/ips/{ip}", new { status = "paused" })).EnsureSuccessStatusCode();
        var failed = ServerOf(await client.GetFromJsonAsync<JsonElement>("/api/v1/mailwizz/delivery-servers"), ip);
        Assert.Equal("failed", failed.GetProperty("outcome").GetString());
        Assert.Equal(clock.GetUtcNow().AddMinutes(1), failed.GetProperty("next_attempt_at").GetDateTimeOffset(), TimeSpan.FromSeconds(1));

        // MariaDB is back, but the retry waits for its time.
        await SyncDueAsync(server, clock);
        Assert.Equal(("inactive", 0), ((await mailWizz.ServerAsync(serverId)).Status, (await mailWizz.ServerAsync(serverId)).DailyQuota));

        clock.Advance(TimeSpan.FromMinutes(2));
        await SyncDueAsync(server, clock);

        var row = await mailWizz.ServerAsync(serverId);
        Assert.Equal(("disabled", 1, 1), (row.Status, row.HourlyQuota, row.DailyQuota));
        var written = ServerOf(await client.GetFromJsonAsync<JsonElement>("/api/v1/mailwizz/delivery-servers"), ip);
        Assert.Equal(("written", 0), (written.GetProperty("outcome").GetString(), written.GetProperty("failures").GetInt32()));
    }

    [Fact]
    public async Task Without_database_access_the_import_csv_carries_each_ip_and_sync_is_refused_with_a_problem()
    {
        await using var server = await StartAsync(mailWizz: null);
        using var client = server.Client();
        var ip = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var second = (await RegisterAsync(client, Second, status: "standby")).GetProperty("id").GetInt64();
        (await client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1" })).EnsureSuccessStatusCode();
        (await client.PatchAsJsonAsync($"/api/v1/ips/{second}", new { tenant = "client-1" })).EnsureSuccessStatusCode();

        var csv = await client.GetStringAsync("/api/v1/mailwizz/delivery-servers/import.csv");

        using var reader = CsvDataReader.Create(new StringReader(csv));
        Assert.Equal(DeliveryServerImport.Columns, Enumerable.Range(0, reader.FieldCount).Select(reader.GetName));
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
            rows.Add(DeliveryServerImport.Columns.ToDictionary(c => c, c => reader.GetString(reader.GetOrdinal(c))));
        Assert.Equal(2, rows.Count);
        var daily = await DailyQuotaAsync(client, ip);
        var first = rows.Single(r => r["name"] == $"EE vmta-{ip} {First}");
        Assert.Equal(("smtp-pmta", "pmta1.example.net", "2525", $"{HourlyOf(daily)}", $"{daily}", "", "noreply@domain1.com"),
            (first["type"], first["hostname"], first["port"], first["hourly_quota"], first["daily_quota"], first["password"], first["from_email"]));
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/v1/mailwizz/delivery-servers");
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("database").ValueKind);
        Assert.Contains("X-Virtual-MTA", listed.GetProperty("hand_steps").GetString());
        var owned = ServerOf(listed, second);
        Assert.Equal("disabled", owned.GetProperty("desired").GetProperty("status").GetString());
        Assert.Equal(("client-1", "pool-client-1"), (owned.GetProperty("tenant").GetString(), owned.GetProperty("vmta_pool").GetString()));
        Assert.Equal((null, "pool-all"), (ServerOf(listed, ip).GetProperty("tenant").GetString(), ServerOf(listed, ip).GetProperty("vmta_pool").GetString()));

        var refused = await client.PostAsync("/api/v1/mailwizz/delivery-servers/sync", null);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("MAILWIZZ_DB_URL", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Bad_links_get_problem_details_and_tenants_are_refused()
    {
        await using var mailWizz = await MariaDatabase.CreateAsync();
        await using var server = await StartAsync(mailWizz);
        using var client = server.Client();
        var first = (await RegisterAsync(client, First)).GetProperty("id").GetInt64();
        var second = (await RegisterAsync(client, Second)).GetProperty("id").GetInt64();
        (await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{first}", new { server_id = 7 })).EnsureSuccessStatusCode();

        var zero = await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{second}", new { server_id = 0 });
        var taken = await client.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{second}", new { server_id = 7 });
        var unknown = await client.PutAsJsonAsync("/api/v1/mailwizz/delivery-servers/9999", new { server_id = 8 });
        var notJson = await client.PutAsync($"/api/v1/mailwizz/delivery-servers/{second}", new StringContent("{\"server_id\": \"x\"}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Conflict, HttpStatusCode.NotFound, HttpStatusCode.BadRequest),
            (zero.StatusCode, taken.StatusCode, unknown.StatusCode, notJson.StatusCode));
        foreach (var response in new[] { zero, taken, unknown, notJson })
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await zero.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("server_id", out _));

        using var tenant = server.Client(await server.CreateTenantKeyAsync("client-1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/mailwizz/delivery-servers")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsync("/api/v1/mailwizz/delivery-servers/sync", null)).StatusCode);
    }
}
