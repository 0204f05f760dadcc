using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using EmailEngine.Warmup;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Warmup;

/// <summary>The warmup API over a real engine on PostgreSQL (outcomes from the in-memory stats).</summary>
public sealed class WarmupApiTests : IAsyncLifetime
{
    private readonly InMemoryWarmupOutcomes _outcomes = new();
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await EngineServer.StartAsync(Provider.Postgres,
            extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off", ["WARMUP_WORKER"] = "off" },
            extraServices: services => services.AddSingleton<IWarmupOutcomes>(_outcomes));
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<long> RegisterAsync(string status = "warming", string ip = "203.0.113.1")
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status });
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object body)
    {
        var response = await _client.PostAsJsonAsync(path, body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Starting_a_warmup_shows_plan_day_quotas_figures_and_the_start_decision()
    {
        var id = await RegisterAsync("standby");

        var (status, started) = await PostAsync($"/api/v1/ips/{id}/warmup", new { });
        _outcomes.Add($"vmta-{id}", IspGroup.Gmail, DateTimeOffset.UtcNow, new(4, 3, 0, 0, 1, 0, 0, 0, 0)); // after the start: inside the window

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("warming", started.GetProperty("status").GetString());
        Assert.Equal("conservative-70", started.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal(70, started.GetProperty("plan").GetProperty("days").GetInt32());
        Assert.Equal(1, started.GetProperty("sending_day").GetInt32());
        var today = started.GetProperty("today");
        Assert.Equal(5, today.GetProperty("quota").GetInt32());
        Assert.Equal("5/d", today.GetProperty("vmta_max_msg_rate").GetString());
        Assert.Equal(2, today.GetProperty("isp").GetProperty("gmail").GetProperty("quota").GetInt32());
        var start = started.GetProperty("history")[0];
        Assert.Equal("start", start.GetProperty("kind").GetString());
        Assert.Contains("conservative-70 at day 1", start.GetProperty("reason").GetString());
        Assert.Equal("failed", start.GetProperty("deployment_status").GetString()); // no PowerMTA host configured here
        Assert.Contains("PowerMTA host not configured", start.GetProperty("deployment_error").GetString());

        var shown = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}/warmup");
        var rates = shown.GetProperty("rates");
        Assert.Equal(4, rates.GetProperty("ip_24h").GetProperty("sent").GetInt64());
        Assert.Equal(0.25, rates.GetProperty("ip_7d").GetProperty("hard_bounce_rate").GetDouble());
        Assert.Equal(0.02, rates.GetProperty("thresholds").GetProperty("hard_bounce_rate_7d").GetDouble());
        Assert.Equal("warming", (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_warming_ip_is_never_without_a_plan()
    {
        // Registered as an operator adds IPs ("status": "warming"), with no warmup call: the default plan runs at once.
        var registered = await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming" });
        var ip = await registered.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("conservative-70", ip.GetProperty("warmup").GetProperty("plan").GetString());
        Assert.Equal(5, ip.GetProperty("warmup").GetProperty("daily_quota").GetInt32());
        var id = ip.GetProperty("id").GetInt64();
        var warmup = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}/warmup");
        Assert.Equal("start", warmup.GetProperty("history")[0].GetProperty("kind").GetString());
        Assert.Equal("ip-registration", warmup.GetProperty("history")[0].GetProperty("actor").GetString());

        // Moved to warming from standby: the same.
        var standby = await RegisterAsync("standby", "203.0.113.2");
        Assert.Equal(JsonValueKind.Null, (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{standby}")).GetProperty("warmup").ValueKind);
        var moved = await (await _client.PatchAsJsonAsync($"/api/v1/ips/{standby}", new { status = "warming" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("conservative-70", moved.GetProperty("warmup").GetProperty("plan").GetString());
        Assert.Equal("running", moved.GetProperty("warmup").GetProperty("phase").GetString());

        // An explicit start still picks another plan, and says which one runs.
        var (status, changed) = await PostAsync($"/api/v1/ips/{id}/warmup", new { plan = "six-weeks" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("six-weeks", changed.GetProperty("plan").GetProperty("name").GetString());
        Assert.Equal("six-weeks", (await _client.GetFromJsonAsync<JsonElement>("/api/v1/ips")).GetProperty("items")[0].GetProperty("warmup").GetProperty("plan").GetString());
    }

    [Fact]
    public async Task Bad_plan_day_or_ip_is_refused()
    {
        var id = await RegisterAsync();

        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup", new { plan = "nope" }), HttpStatusCode.BadRequest, "plan");
        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup", new { plan = "six-weeks", day = 43 }), HttpStatusCode.BadRequest, "day");
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsJsonAsync("/api/v1/ips/999/warmup", new { })).StatusCode);
        var standby = await RegisterAsync("standby", "203.0.113.3"); // only a warming IP starts a plan by itself
        var none = await _client.GetAsync($"/api/v1/ips/{standby}/warmup");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Contains("has no warmup", await none.Content.ReadAsStringAsync());
        var active = await RegisterAsync("active", "203.0.113.2");
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsJsonAsync($"/api/v1/ips/{active}/warmup", new { })).StatusCode);
    }

    [Fact]
    public async Task Operator_overrides_are_validated_applied_and_recorded()
    {
        var id = await RegisterAsync();
        Assert.Equal(HttpStatusCode.Created, (await PostAsync($"/api/v1/ips/{id}/warmup", new { plan = "six-weeks" })).Status);
        var path = $"/api/v1/ips/{id}/warmup/override";

        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync(path, new { action = "pause" }), HttpStatusCode.BadRequest, "reason");
        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync(path, new { action = "explode", reason = "x" }), HttpStatusCode.BadRequest, "action");
        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync(path, new { action = "skip_to_day", reason = "x", day = 43 }), HttpStatusCode.BadRequest, "day");

        var (_, paused) = await PostAsync(path, new { action = "pause", reason = "list cleaning", hours = 12 });
        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.Equal("paused", paused.GetProperty("phase").GetString());
        var decision = paused.GetProperty("history")[0];
        Assert.Equal("override", decision.GetProperty("kind").GetString());
        Assert.Equal("pause: list cleaning", decision.GetProperty("reason").GetString());
        Assert.Equal("operator", decision.GetProperty("actor").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(path, new { action = "pause", reason = "again" })).Status);

        var (_, resumed) = await PostAsync(path, new { action = "resume", reason = "list clean" });
        Assert.Equal("warming", resumed.GetProperty("status").GetString());

        var (_, skipped) = await PostAsync(path, new { action = "skip_to_day", reason = "IP already sent for a month elsewhere", day = 29 });
        Assert.Equal(29, skipped.GetProperty("sending_day").GetInt32());
        Assert.Equal(5_000, skipped.GetProperty("today").GetProperty("quota").GetInt32());
        Assert.Equal("5000/d", skipped.GetProperty("today").GetProperty("vmta_max_msg_rate").GetString());

        var (_, held) = await PostAsync(path, new { action = "hold", reason = "new campaign launching", hours = 48 });
        Assert.NotEqual(JsonValueKind.Null, held.GetProperty("hold_until").ValueKind);

        var (_, completed) = await PostAsync(path, new { action = "complete", reason = "reputation good at every provider" });
        Assert.Equal("active", completed.GetProperty("status").GetString());
        Assert.Equal("completed", completed.GetProperty("phase").GetString());
        Assert.Equal(7, completed.GetProperty("history").GetArrayLength()); // registration start, explicit start, 5 applied overrides (not the refused one), newest first
        Assert.Equal("start", completed.GetProperty("history")[5].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Operators_define_their_own_plans()
    {
        var (created, plan) = await PostAsync("/api/v1/warmup/plans", new { name = "fast-3", description = "test", daily_quotas = new[] { 100, 200, 400 } });
        Assert.Equal(HttpStatusCode.Created, created);
        Assert.Equal(3, plan.GetProperty("days").GetInt32());

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/api/v1/warmup/plans", new { name = "fast-3", daily_quotas = new[] { 1 } })).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync("/api/v1/warmup/plans", new { name = "six-weeks", daily_quotas = new[] { 1 } })).Status);
        var down = await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync("/api/v1/warmup/plans", new { name = "down", daily_quotas = new[] { 10, 5 } }),
            HttpStatusCode.BadRequest, "daily_quotas");
        Assert.Contains("never ramps down", down);
        await IpValidationTests.AssertFieldError(await _client.PostAsJsonAsync("/api/v1/warmup/plans", new { name = "Bad Name", daily_quotas = new[] { 1 } }),
            HttpStatusCode.BadRequest, "name");

        var plans = await _client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/plans");
        Assert.Equal(["conservative-70", "six-weeks", "fast-3"], plans.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
        var id = await RegisterAsync();
        var (_, started) = await PostAsync($"/api/v1/ips/{id}/warmup", new { plan = "fast-3", day = 2 });
        Assert.Equal(200, started.GetProperty("today").GetProperty("quota").GetInt32());
    }

    [Fact]
    public async Task Run_now_decides_nothing_twice_and_tenant_keys_are_refused()
    {
        var id = await RegisterAsync();
        await PostAsync($"/api/v1/ips/{id}/warmup", new { });

        var (status, run) = await PostAsync("/api/v1/warmup/run", new { });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, run.GetProperty("decisions").GetArrayLength()); // started this period: first decision at the next boundary
        using var tenant = _server.Client(await _server.CreateTenantKeyAsync("client-1"));
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync($"/api/v1/ips/{id}/warmup")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.GetAsync("/api/v1/warmup/plans")).StatusCode);
    }

    [Fact]
    public async Task The_engine_reads_the_accounting_stats_and_decides_on_zero_figures_when_nothing_was_ingested()
    {
        await using var bare = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string> { ["WARMUP_WORKER"] = "off" });
        using var client = bare.Client();
        var ip = await (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.9", domain = "mail9.domain9.com" })).Content.ReadFromJsonAsync<JsonElement>();
        var id = ip.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/ips/{id}/warmup", new { })).StatusCode);

        var run = await client.PostAsJsonAsync("/api/v1/warmup/run", new { });
        var shown = await client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}/warmup");

        // The engine reads the accounting stats table (nothing ingested yet): it decides, and shows zero figures.
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Equal(0, shown.GetProperty("rates").GetProperty("ip_24h").GetProperty("sent").GetInt64());
        Assert.Equal(1, shown.GetProperty("sending_day").GetInt32());
    }
}
