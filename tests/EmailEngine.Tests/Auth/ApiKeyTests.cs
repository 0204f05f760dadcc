using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Http;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EmailEngine.Tests.Auth;

public sealed class ApiKeyTests : IAsyncLifetime
{
    private EngineServer _server = null!;

    public async Task InitializeAsync() => _server = await EngineServer.StartAsync(Provider.Postgres);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Missing_key_returns_401_problem()
    {
        using var client = _server.Client(apiKey: null);

        var response = await client.GetAsync("/api/v1/tenants");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("X-API-KEY", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("email_engine_v2_key")]
    [InlineData("eek_aaaaaaaaaaaa_notarealsecret")]
    public async Task Wrong_key_returns_401(string key)
    {
        using var client = _server.Client(key);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/ips")).StatusCode);
    }

    [Fact]
    public async Task Tenant_key_with_a_tampered_secret_returns_401()
    {
        var token = await _server.CreateTenantKeyAsync("client-1");
        using var client = _server.Client(token[..^2] + (token[^1] == 'a' ? "bb" : "aa"));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/tenants")).StatusCode);
    }

    [Fact]
    public async Task Tenant_key_sees_only_its_own_tenant()
    {
        var token = await _server.CreateTenantKeyAsync("client-1");
        await _server.CreateTenantKeyAsync("client-2");
        using var client = _server.Client(token);

        var list = await client.GetFromJsonAsync<JsonElement>("/api/v1/tenants");
        Assert.Equal(["client-1"], list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("slug").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/tenants/client-1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/tenants/client-2")).StatusCode);
    }

    [Fact]
    public async Task Tenant_key_cannot_use_operator_endpoints()
    {
        var token = await _server.CreateTenantKeyAsync("client-1");
        using var client = _server.Client(token);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/ips")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/tenants/client-1/keys", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task Revoked_key_returns_401()
    {
        var token = await _server.CreateTenantKeyAsync("client-1");
        using var tenant = _server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("/api/v1/tenants")).StatusCode);
        using var admin = _server.Client();
        var keys = await admin.GetFromJsonAsync<JsonElement>("/api/v1/tenants/client-1/keys");
        var keyId = keys.GetProperty("items")[0].GetProperty("key_id").GetString();

        (await admin.DeleteAsync($"/api/v1/tenants/client-1/keys/{keyId}")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, (await tenant.GetAsync("/api/v1/tenants")).StatusCode);
    }

    [Fact]
    public async Task Key_is_stored_hashed_and_listed_by_prefix_only()
    {
        var token = await _server.CreateTenantKeyAsync("client-1");
        // eek_{12-char key id}_{secret}: the secret itself may contain '_' (base64url).
        var secret = token["eek_".Length..][13..];
        Assert.True(secret.Length >= 40, secret);

        await using var connection = new NpgsqlConnection(_server.Postgres.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT * FROM api_keys", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var value = Convert.ToString(reader.GetValue(i)) ?? "";
            Assert.DoesNotContain(secret, value);
            Assert.NotEqual(token, value);
        }
        using var admin = _server.Client();
        var listed = await admin.GetStringAsync("/api/v1/tenants/client-1/keys");
        Assert.DoesNotContain(secret, listed);
    }

    [Fact]
    public async Task Operator_acting_for_a_new_tenant_creates_it_on_first_use()
    {
        using var admin = _server.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/v1/tenants/client-9")).StatusCode);

        using (var scope = _server.Services.CreateScope())
        {
            var tenants = scope.ServiceProvider.GetRequiredService<TenantScope>();
            var result = await tenants.ForWriteAsync(Caller.OperatorPrincipal("test"), "client-9", CancellationToken.None);
            Assert.True(result.IsSuccess);
        }

        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/tenants/client-9")).StatusCode);
    }
}
