using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.PowerMta;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Ips;

/// <summary>An IP belongs to one tenant or to a shared pool, set by the operator only, and renders into that owner's pool.</summary>
public sealed class IpOwnershipTests : IAsyncLifetime
{
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await EngineServer.StartAsync(Provider.Postgres);
        _client = _server.Client();
        foreach (var slug in new[] { "client-1", "client-2" })
            (await _client.PostAsJsonAsync("/api/v1/tenants", new { slug })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static (string? Tenant, string? Pool, string VmtaPool) Owner(JsonElement ip) =>
        (ip.GetProperty("tenant").GetString(), ip.GetProperty("pool").GetString(), ip.GetProperty("vmta_pool").GetString()!);

    private async Task<JsonElement> RegisterAsync(object request)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        return body;
    }

    private async Task<int> CountIpsAsync() => (await _client.GetFromJsonAsync<JsonElement>("/api/v1/ips")).GetProperty("items").GetArrayLength();

    [Fact]
    public async Task Each_owner_gets_its_pool_in_the_response_and_in_the_rendered_config()
    {
        var owned = await RegisterAsync(new { ip = "203.0.113.1", domain = "mail1.domain1.com", tenant = "client-1" });
        var shared = await RegisterAsync(new { ip = "203.0.113.2", domain = "mail2.domain2.com", pool = "house" });
        var unowned = await RegisterAsync(new { ip = "203.0.113.3", domain = "mail3.domain3.com", status = "active" }); // the runbook's call

        Assert.Equal(("client-1", null, "pool-client-1"), Owner(owned));
        Assert.Equal((null, "house", "pool-house"), Owner(shared));
        Assert.Equal((null, "all", "pool-all"), Owner(unowned));
        Assert.Equal(("client-1", null, "pool-client-1"), Owner(await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{owned.GetProperty("id")}")));
        var config = await _client.GetStringAsync("/api/v1/pmta/config");
        Assert.Equal(["pool-all", "pool-client-1", "pool-house"], RenderConfig.SendingPools(config).Keys.Order());
        Assert.Equal(["vmta-1"], RenderConfig.SendingPools(config)["pool-client-1"]);
        var validation = await (await _client.PostAsync("/api/v1/pmta/config/validate", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.DoesNotContain(validation.GetProperty("findings").EnumerateArray(), f => f.GetProperty("message").GetString()!.Contains("pool"));
    }

    [Fact]
    public async Task A_tenant_and_a_pool_together_are_refused_on_both_fields_and_nothing_is_written()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", tenant = "client-1", pool = "house" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("not both", errors.GetProperty("tenant")[0].GetString());
        Assert.Contains("not both", errors.GetProperty("pool")[0].GetString());
        Assert.Equal(0, await CountIpsAsync());
    }

    [Fact]
    public async Task An_unknown_tenant_is_a_field_error_and_creates_no_tenant()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", tenant = "nobody" });

        Assert.Contains("no tenant 'nobody'", await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "tenant"));
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/v1/tenants/nobody")).StatusCode);
    }

    [Theory]
    [InlineData("House")]
    [InlineData("my_pool")]
    [InlineData("-house")]
    [InlineData("")]
    [InlineData("vmta-3")]
    [InlineData("pool-house")]
    [InlineData("client-1")]
    public async Task A_bad_shared_pool_name_is_refused(string pool)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", pool });

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "pool");
        Assert.Equal(0, await CountIpsAsync());
    }

    [Fact]
    public async Task A_tenant_whose_pool_name_is_taken_cannot_own_ips()
    {
        await RegisterAsync(new { ip = "203.0.113.1", domain = "mail1.domain1.com", pool = "client-3" });
        foreach (var slug in new[] { "client-3", "all" })
            (await _client.PostAsJsonAsync("/api/v1/tenants", new { slug })).EnsureSuccessStatusCode();

        foreach (var (slug, why) in new[] { ("client-3", "already the shared pool"), ("all", "default shared pool") })
        {
            var response = await _client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain2.com", tenant = slug });
            Assert.Contains(why, await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "tenant"));
        }
    }

    [Fact]
    public async Task An_update_moves_the_ip_between_owners_and_a_status_change_keeps_its_owner()
    {
        var id = (await RegisterAsync(new { ip = "203.0.113.1", domain = "mail1.domain1.com", tenant = "client-1" })).GetProperty("id").GetInt64();

        async Task<JsonElement> PatchAsync(object change)
        {
            var response = await _client.PatchAsJsonAsync($"/api/v1/ips/{id}", change);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
            return body;
        }

        Assert.Equal(("client-1", null, "pool-client-1"), Owner(await PatchAsync(new { status = "paused" })));
        Assert.Equal((null, "house", "pool-house"), Owner(await PatchAsync(new { pool = "house" })));
        Assert.Equal(("client-2", null, "pool-client-2"), Owner(await PatchAsync(new { tenant = "client-2" })));
        Assert.Equal((null, "all", "pool-all"), Owner(await PatchAsync(new { pool = "all" })));
        var both = await _client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { tenant = "client-1", pool = "house" });
        await IpValidationTests.AssertFieldError(both, HttpStatusCode.BadRequest, "pool");
        Assert.Equal((null, "all", "pool-all"), Owner(await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}")));
    }

    [Fact]
    public async Task A_tenant_key_cannot_register_or_reassign_ips()
    {
        var id = (await RegisterAsync(new { ip = "203.0.113.1", domain = "mail1.domain1.com", tenant = "client-2" })).GetProperty("id").GetInt64();
        using var tenant = _server.Client(await _server.CreateTenantKeyAsync("client-3"));

        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PatchAsJsonAsync($"/api/v1/ips/{id}", new { tenant = "client-3" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await tenant.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain2.com", tenant = "client-3" })).StatusCode);
        Assert.Equal(("client-2", null, "pool-client-2"), Owner(await _client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}")));
    }
}
