using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Ips;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Ips;

public sealed class IpValidationTests : ApiTest
{
    [Theory]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData(" 203.0.113.7 ", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.9", "::ffff:203.0.113.9")]
    public async Task Valid_ip_is_stored_in_canonical_form(string ip, string canonical)
    {
        var response = await Client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status = "warming" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(canonical, body.GetProperty("ip").GetString());
    }

    [Fact]
    public async Task Hostname_is_normalized_and_idn_converted()
    {
        var response = await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "Mail1.Bücher.Example.", status = "warming" });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("mail1.xn--bcher-kva.example", body.GetProperty("domain").GetString());
    }

    [Fact]
    public async Task Bad_status_is_rejected_listing_the_allowed_values()
    {
        var response = await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "burning" });

        var errors = await AssertFieldError(response, HttpStatusCode.BadRequest, "status");
        Assert.Contains("warming, active, paused, retired, quarantined, standby", errors);
    }

    [Fact]
    public async Task Duplicate_ip_returns_409_and_keeps_the_first()
    {
        await RegisterAsync("2001:db8::1");
        var response = await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "2001:0db8::0001", domain = "mail2.domain2.com", status = "active" });

        await AssertFieldError(response, HttpStatusCode.Conflict, "ip");
        Assert.Equal(1, await CountIpsAsync());
    }

    [Theory]
    [InlineData("active", "warming")]
    [InlineData("retired", "active")]
    [InlineData("retired", "paused")]
    [InlineData("standby", "active")]
    [InlineData("standby", "paused")]
    [InlineData("quarantined", "active")]
    [InlineData("quarantined", "paused")]
    public async Task Illegal_transition_returns_400(string from, string to)
    {
        var id = await RegisterAsync("203.0.113.1", from is "retired" or "quarantined" ? "warming" : from);
        if (from is "retired" or "quarantined")
            (await Client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { status = from })).EnsureSuccessStatusCode();

        var response = await Client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { status = to });

        var message = await AssertFieldError(response, HttpStatusCode.BadRequest, "status");
        Assert.Contains($"cannot move from {from} to {to}", message);
        var ip = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}");
        Assert.Equal(from, ip.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Legal_transitions_update_status_and_timestamp()
    {
        var id = await RegisterAsync("203.0.113.1");
        var before = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}");

        foreach (var status in new[] { "paused", "warming", "active", "paused", "retired", "warming", "quarantined", "standby", "warming" })
        {
            var response = await Client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { status });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var after = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}");
        Assert.Equal("warming", after.GetProperty("status").GetString());
        Assert.True(after.GetProperty("updated_at").GetDateTimeOffset() > before.GetProperty("updated_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task Changing_the_address_is_refused()
    {
        var id = await RegisterAsync("203.0.113.1");

        var response = await Client.PatchAsJsonAsync($"/api/v1/ips/{id}", new { ip = "203.0.113.2" });

        await AssertFieldError(response, HttpStatusCode.BadRequest, "ip");
    }

    [Fact]
    public async Task Deleting_an_active_ip_returns_409_and_keeps_it()
    {
        var id = await RegisterAsync("203.0.113.1", "active");

        var response = await Client.DeleteAsync($"/api/v1/ips/{id}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await CountIpsAsync());
    }

    [Fact]
    public async Task Deleting_a_paused_ip_removes_it_and_its_vmta_name_is_not_reused()
    {
        await RegisterAsync("203.0.113.1");
        var second = await RegisterAsync("203.0.113.2", "paused");

        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/api/v1/ips/{second}")).StatusCode);
        var third = await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.3", domain = "mail3.domain3.com" });

        var body = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("vmta-3", body.GetProperty("vmta").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v1/ips/{second}")).StatusCode);
    }

    [Fact]
    public async Task List_filters_by_status()
    {
        await RegisterAsync("203.0.113.1", "warming");
        await RegisterAsync("203.0.113.2", "active");

        var list = await Client.GetFromJsonAsync<JsonElement>("/api/v1/ips?status=active");

        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.Single(items);
        Assert.Equal("203.0.113.2", items[0].GetProperty("ip").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await Client.GetAsync("/api/v1/ips?status=nope")).StatusCode);
    }

    private async Task<long> RegisterAsync(string ip, string status = "warming")
    {
        var response = await Client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    private Task<int> CountIpsAsync() => CountIpsAsync(Server);

    internal static async Task<int> CountIpsAsync(EngineServer server)
    {
        using var scope = server.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<SendingIp>().CountAsync();
    }

    internal static async Task<string> AssertFieldError(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.NotEmpty(messages);
        return string.Join(" | ", messages);
    }
}

/// <summary>Addresses and hostnames the API must refuse: each case leaves no IP behind, so the class shares one engine.</summary>
public sealed class IpRejectionTests(ApiEngine engine) : IClassFixture<ApiEngine>
{
    [Theory]
    [InlineData("999.1.1.1")]
    [InlineData("1.2.3")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("1.2.3.4.5")]
    [InlineData("01.2.3.4")]
    [InlineData("1.2.3.-4")]
    [InlineData("256.0.0.1")]
    [InlineData("a.b.c.d")]
    [InlineData("1.2.3.4/24")]
    [InlineData("2001:db8::g")]
    [InlineData("2001:db8:::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[2001:db8::1]")]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    [InlineData("224.0.0.5")]
    [InlineData("[IP1]")]
    public async Task Bad_ip_is_rejected_with_a_field_message_and_nothing_written(string ip)
    {
        var response = await engine.Client.PostAsJsonAsync("/api/v1/ips", new { ip, domain = "mail1.domain1.com", status = "warming" });

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "ip");
        Assert.Equal(0, await IpValidationTests.CountIpsAsync(engine.Server));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("mail..domain.com")]
    [InlineData("-mail.domain.com")]
    [InlineData("mail_1.domain.com")]
    [InlineData("mail.domain.123")]
    [InlineData("")]
    [InlineData("mail domain.com")]
    [InlineData("203.0.113.1")]
    public async Task Bad_hostname_is_rejected(string domain)
    {
        var response = await engine.Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain, status = "warming" });

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.BadRequest, "domain");
        Assert.Equal(0, await IpValidationTests.CountIpsAsync(engine.Server));
    }
}
