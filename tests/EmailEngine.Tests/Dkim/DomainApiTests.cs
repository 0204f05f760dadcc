using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Dkim;
using EmailEngine.Hosting;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailEngine.Tests.Dkim;

/// <summary>/api/v1/domains on PostgreSQL: derived and explicit domains, keys at rest, validation, access.</summary>
public sealed class DomainApiTests : ApiTest
{
    private async Task RegisterSeedIpsAsync()
    {
        for (var i = 1; i <= 5; i++)
            (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com" })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Registered_ips_become_domains_with_an_active_rsa_2048_key_and_no_private_key_in_responses()
    {
        await RegisterSeedIpsAsync();

        var response = await Client.GetAsync("/api/v1/domains");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"domain{i}.com"), items.Select(d => d.GetProperty("domain").GetString()));
        foreach (var (item, i) in items.Select((item, index) => (item, index + 1)))
        {
            Assert.Equal($"mail{i}.domain{i}.com", item.GetProperty("ips")[0].GetProperty("helo").GetString());
            Assert.Equal($"203.0.113.{i}", item.GetProperty("ips")[0].GetProperty("ip").GetString());
            Assert.Equal("ee1", item.GetProperty("selector").GetString());
            var key = Assert.Single(item.GetProperty("dkim_keys").EnumerateArray());
            Assert.Equal("active", key.GetProperty("status").GetString());
            Assert.Equal($"ee1._domainkey.domain{i}.com", key.GetProperty("dns_name").GetString());
            var spki = Convert.FromBase64String(key.GetProperty("public_key").GetString()!);
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(spki, out _);
            Assert.Equal(2048, rsa.KeySize);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(spki)), key.GetProperty("fingerprint").GetString());
        }
        Assert.DoesNotContain("PRIVATE", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("encrypted", text, StringComparison.OrdinalIgnoreCase);

        var one = await Client.GetFromJsonAsync<JsonElement>("/api/v1/domains/domain3.com");
        Assert.Equal(items[2].GetProperty("id").GetInt64(), one.GetProperty("id").GetInt64());
        Assert.Equal("domain3.com", (await Client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{one.GetProperty("id")}")).GetProperty("domain").GetString());
    }

    [Fact]
    public async Task Private_keys_are_stored_encrypted_and_bound_to_their_domain_and_selector()
    {
        await RegisterSeedIpsAsync();
        (await Client.GetAsync("/api/v1/domains")).EnsureSuccessStatusCode();
        using var scope = Server.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var domain = await db.Set<SendingDomain>().Include(d => d.Keys).SingleAsync(d => d.Name == "domain1.com");
        var key = Assert.Single(domain.Keys);

        Assert.DoesNotContain("PRIVATE KEY", Encoding.ASCII.GetString(key.EncryptedPrivateKey));
        var vault = scope.ServiceProvider.GetRequiredService<DkimVault>();
        var pem = Encoding.ASCII.GetString(vault.Unprotect(key.EncryptedPrivateKey, DkimVault.ContextOf("domain1.com", "ee1")));
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", pem);
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        Assert.Equal(key.PublicKey, Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()));

        // The ciphertext only opens for its own row and with the configured master key.
        Assert.ThrowsAny<CryptographicException>(() => vault.Unprotect(key.EncryptedPrivateKey, DkimVault.ContextOf("domain2.com", "ee1")));
        var otherMaster = DkimVault.From(SettingsLoader.FromValues(new Dictionary<string, string>
        {
            ["API_KEY"] = "test_key_123", ["DKIM_MASTER_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        }))(NullLogger.Instance);
        Assert.ThrowsAny<CryptographicException>(() => otherMaster.Unprotect(key.EncryptedPrivateKey, DkimVault.ContextOf("domain1.com", "ee1")));
    }

    [Fact]
    public async Task Create_normalizes_validates_per_field_and_refuses_duplicates()
    {
        await RegisterSeedIpsAsync();

        var created = await Client.PostAsJsonAsync("/api/v1/domains", new { domain = "Example-Sender.COM." });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("example-sender.com", body.GetProperty("domain").GetString());
        Assert.Empty(body.GetProperty("ips").EnumerateArray());
        Assert.Equal("active", body.GetProperty("dkim_keys")[0].GetProperty("status").GetString());
        Assert.Equal($"/api/v1/domains/{body.GetProperty("id")}", created.Headers.Location!.OriginalString);

        foreach (var bad in new object[] { new { domain = "bad_domain.com" }, new { domain = "localhost" }, new { } })
        {
            var invalid = await Client.PostAsJsonAsync("/api/v1/domains", bad);
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.True((await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("domain", out _));
        }

        foreach (var duplicate in new[] { "example-sender.com", "DOMAIN1.com" }) // explicit, and derived from an IP on first use
        {
            var conflict = await Client.PostAsJsonAsync("/api/v1/domains", new { domain = duplicate });
            Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
            Assert.Contains("already exists", (await conflict.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("domain")[0].GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/domains/nowhere.example")).StatusCode);
    }

    [Fact]
    public async Task Tenant_keys_read_domains_but_cannot_change_them()
    {
        await RegisterSeedIpsAsync();
        using var tenant = Server.Client(await Server.CreateTenantKeyAsync("client-1"));

        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("/api/v1/domains")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.GetAsync("/api/v1/domains/domain1.com/dns")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync("/api/v1/domains", new { domain = "tenant.example" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsJsonAsync("/api/v1/domains/domain1.com/dkim/rotate", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Server.Client(apiKey: null).GetAsync("/api/v1/domains")).StatusCode);
    }

    [Fact]
    public async Task Reads_write_nothing_and_an_ip_moved_to_a_new_domain_gets_its_key()
    {
        await RegisterSeedIpsAsync();
        var ip = (await (await Client.GetAsync("/api/v1/ips")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("id").GetInt64();
        (await Client.PatchAsJsonAsync($"/api/v1/ips/{ip}", new { domain = "mail1.moved.example" })).EnsureSuccessStatusCode();
        Assert.Equal(1, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM sending_domains WHERE name = 'moved.example'"));

        // As a registration stopped between the IP's commit and its domain's key would leave it.
        await Server.Postgres.ScalarAsync<long>("WITH d AS (DELETE FROM sending_domains WHERE name = 'domain2.com' RETURNING 1) SELECT count(*) FROM d");
        var before = await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM dkim_keys");
        foreach (var read in new[] { "/api/v1/pmta/config", "/api/v1/domains", "/api/v1/domains/domain1.com/dns", "/api/v1/pmta/config/diff" })
            Assert.True((await Client.GetAsync(read)).StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable, read);
        Assert.Equal(before, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM dkim_keys"));
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("/api/v1/domains/domain2.com")).StatusCode);
    }

    [Fact]
    public async Task Without_a_master_key_postgres_refuses_key_operations_with_503()
    {
        await using var server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["DKIM_MASTER_KEY"] = "" });
        using var client = server.Client();

        var response = await client.PostAsJsonAsync("/api/v1/domains", new { domain = "domain1.com" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("DKIM_MASTER_KEY is not set", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        // An IP is registered all the same, and its config renders (reading needs no key); a deployment, which ships the
        // domain's key, is refused until the master key is set.
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/pmta/config")).StatusCode);
        var deploy = await client.PostAsJsonAsync("/api/v1/pmta/deploy", new { });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, deploy.StatusCode);
        Assert.Contains("DKIM_MASTER_KEY is not set", (await deploy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await server.Postgres.ScalarAsync<long>("SELECT count(*) FROM sending_domains"));
    }
}
