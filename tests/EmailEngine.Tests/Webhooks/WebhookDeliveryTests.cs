using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Webhooks;

/// <summary>Tenant webhooks over real HTTP: events from accounting ingest and suppressions, signatures, retries, the delivery log.</summary>
public sealed class WebhookDeliveryTests : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string>
        {
            ["OUTBOX_WORKER"] = "off", ["WEBHOOK_ALLOW_PRIVATE_TARGETS"] = "true",
            ["OUTBOX_RETRY_BASE_MS"] = "20", ["OUTBOX_RETRY_MAX_SECONDS"] = "1",
        });
        _client = _engine.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<(long Id, string Secret)> CreateWebhookAsync(object body, HttpClient? client = null)
    {
        var response = await (client ?? _client).PostAsJsonAsync("/api/v1/webhooks", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, json.ToString());
        return (json.GetProperty("webhook").GetProperty("id").GetInt64(), json.GetProperty("secret").GetString()!);
    }

    /// <summary>Runs the due outbox messages (webhooks and others) until <paramref name="done"/> holds.</summary>
    private async Task DeliverUntilAsync(Func<bool> done)
    {
        var dispatcher = _engine.Services.GetRequiredService<OutboxDispatcher>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"gave up; receiver has {_receiver.Requests.Count} request(s)");
            await dispatcher.DrainAsync(CancellationToken.None);
            await Task.Delay(50);
        }
    }

    private static void AssertSigned(WebhookReceiver.Received request, string secret)
    {
        var parts = request.Headers["X-EE-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{request.Body}")));
        Assert.Equal(expected, parts["v1"]);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(parts["t"]), 0, 300);
    }

    private async Task<JsonElement[]> DeliveriesAsync(long webhookId) =>
        (await _client.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{webhookId}/deliveries")).GetProperty("items").EnumerateArray().ToArray();

    [Fact]
    public async Task Bounces_complaints_and_suppressions_from_accounting_reach_the_webhook_signed_and_once()
    {
        var (id, secret) = await CreateWebhookAsync(new { url = _receiver.Url, tenant = "client-1" });
        var file = Header
            + Line("b", "2026-11-25 10:00:00+0000", "gone@gmail.com", status: "5.1.1", diag: "smtp;550 5.1.1 The email account that you tried to reach does not exist", category: "bad-mailbox")
            + Line("b", "2026-11-25 10:01:00+0000", "fine@outlook.com", status: "5.7.1", diag: "smtp;550 5.7.1 Service unavailable; Client host [203.0.113.1] blocked using Spamhaus", category: "policy-related")
            + Line("f", "2026-11-25 10:05:00+0000", "angry@hotmail.fr")
            + Line("d", "2026-11-25 10:06:00+0000", "happy@orange.fr");
        await UploadAsync(_client, file);
        await DeliverUntilAsync(() => _receiver.Accepted.Count >= 5);

        var events = _receiver.Accepted.Select(r => (Request: r, Body: JsonDocument.Parse(r.Body).RootElement)).ToList();
        Assert.All(events, e => AssertSigned(e.Request, secret));
        Assert.All(events, e => Assert.Equal(e.Body.GetProperty("type").GetString(), e.Request.Headers["X-EE-Event"]));
        Assert.All(events, e => Assert.Equal("client-1", e.Body.GetProperty("tenant").GetString()));
        var summary = events.Select(e => (e.Body.GetProperty("type").GetString(), e.Body.GetProperty("data").GetProperty("email").GetString(),
            e.Body.GetProperty("data").TryGetProperty("class", out var c) ? c.GetString()
            : e.Body.GetProperty("data").TryGetProperty("reason", out var r) ? r.GetString() : null)).Order().ToList();
        Assert.Equal(new List<(string?, string?, string?)>
        {
            ("bounce", "fine@outlook.com", "block"), ("bounce", "gone@gmail.com", "hard"), ("complaint", "angry@hotmail.fr", null),
            ("suppression", "angry@hotmail.fr", "complaint"), ("suppression", "gone@gmail.com", "hard_bounce"),
        }, summary);
        var hard = events.Single(e => e.Body.GetProperty("type").GetString() == "bounce" && e.Body.GetProperty("data").GetProperty("class").GetString() == "hard").Body;
        Assert.Equal("5.1.1", hard.GetProperty("data").GetProperty("dsn_status").GetString());
        Assert.Equal("vmta-1", hard.GetProperty("data").GetProperty("vmta").GetString());

        // The same file again (a re-upload of what was already read) adds no event.
        await UploadAsync(_client, file, "acct-copy.csv");
        await _engine.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Equal(5, _receiver.Requests.Count);
        var log = await DeliveriesAsync(id);
        Assert.Equal(5, log.Length);
        Assert.All(log, d => Assert.Equal(("delivered", 200, 1),
            (d.GetProperty("status").GetString(), d.GetProperty("last_response_status").GetInt32(), d.GetProperty("attempts").GetInt32())));
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_same_event_again_until_it_answers_2xx()
    {
        var (id, secret) = await CreateWebhookAsync(new { url = _receiver.Url, tenant = "client-1", events = new[] { "suppression" } });
        _receiver.FailNext = 2;
        (await _client.PostAsJsonAsync("/api/v2/suppressions", new { email = "Someone@Example.com", tenant = "client-1", reason = "unsubscribe" })).EnsureSuccessStatusCode();

        await DeliverUntilAsync(() => _receiver.Accepted.Count == 1);

        Assert.Equal([503, 503, 200], _receiver.Requests.Select(r => r.AnsweredWith));
        Assert.Single(_receiver.Requests.Select(r => r.Body).Distinct());
        Assert.Single(_receiver.Requests.Select(r => r.Headers["X-EE-Delivery"]).Distinct());
        AssertSigned(_receiver.Accepted[0], secret);
        var data = JsonDocument.Parse(_receiver.Accepted[0].Body).RootElement.GetProperty("data");
        Assert.Equal(("someone@example.com", "unsubscribe", "api"),
            (data.GetProperty("email").GetString(), data.GetProperty("reason").GetString(), data.GetProperty("source").GetString()));
        var delivery = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("delivered", 3), (delivery.GetProperty("status").GetString(), delivery.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_delivery_that_could_not_be_sent_is_shown_failed_and_can_be_retried()
    {
        var (id, _) = await CreateWebhookAsync(new { url = _receiver.Url, tenant = "client-1" });
        var ping = await _client.PostAsync($"/api/v1/webhooks/{id}/ping", null);
        Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        var deliveryId = (await ping.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        (await _client.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { enabled = false })).EnsureSuccessStatusCode();
        await _engine.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);

        var failed = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(("failed", "webhook is disabled"), (failed.GetProperty("status").GetString(), failed.GetProperty("last_error").GetString()));
        Assert.Empty(_receiver.Requests);

        (await _client.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { enabled = true })).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync($"/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _client.PostAsync($"/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry", null)).StatusCode);
        await DeliverUntilAsync(() => _receiver.Accepted.Count == 1);
        Assert.Equal("ping", _receiver.Accepted[0].Headers["X-EE-Event"]);
        Assert.Equal("delivered", Assert.Single(await DeliveriesAsync(id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Tenants_see_and_receive_only_their_own_webhooks_and_events()
    {
        var otherKey = await _engine.CreateTenantKeyAsync("client-2");
        using var other = _engine.Client(otherKey);
        var (otherId, _) = await CreateWebhookAsync(new { url = _receiver.Url + "/client-2" }, other);
        var (ownId, _) = await CreateWebhookAsync(new { url = _receiver.Url + "/client-1", tenant = "client-1" });

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/webhooks/{ownId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/v1/webhooks/{ownId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/webhooks/{ownId}/deliveries")).StatusCode);
        var listed = (await other.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("items").EnumerateArray().Select(w => w.GetProperty("id").GetInt64());
        Assert.Equal([otherId], listed);

        (await _client.PostAsJsonAsync("/api/v2/suppressions", new { email = "only-client-1@example.com", tenant = "client-1" })).EnsureSuccessStatusCode();
        await DeliverUntilAsync(() => _receiver.Accepted.Count == 1);
        await _engine.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);
        Assert.Equal("/hooks/ee/client-1", Assert.Single(_receiver.Requests).Path);
    }

    [Fact]
    public async Task A_global_suppression_reaches_only_the_tenants_that_have_the_address_as_a_contact()
    {
        var otherKey = await _engine.CreateTenantKeyAsync("client-2");
        using var other = _engine.Client(otherKey);
        await CreateWebhookAsync(new { url = _receiver.Url + "/client-1", tenant = "client-1", events = new[] { "suppression" } });
        await CreateWebhookAsync(new { url = _receiver.Url + "/client-2", events = new[] { "suppression" } }, other);
        (await _client.PostAsJsonAsync("/api/v2/contacts", new { email = "shared@example.com", tenant = "client-1", language = "fr" })).EnsureSuccessStatusCode();

        var added = await _client.PostAsJsonAsync("/api/v2/suppressions", new { email = "Shared@Example.com", scope = "global", reason = "complaint" });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await DeliverUntilAsync(() => _receiver.Accepted.Count == 1);
        await _engine.Services.GetRequiredService<OutboxDispatcher>().DrainAsync(CancellationToken.None);

        var only = Assert.Single(_receiver.Requests);
        Assert.Equal("/hooks/ee/client-1", only.Path);
        var data = JsonDocument.Parse(only.Body).RootElement.GetProperty("data");
        Assert.Equal(("shared@example.com", "global", "complaint"),
            (data.GetProperty("email").GetString(), data.GetProperty("scope").GetString(), data.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Bad_webhooks_are_refused_with_field_messages_and_nothing_is_written()
    {
        foreach (var (body, field) in new (object, string)[]
        {
            (new { tenant = "client-1" }, "url"),
            (new { url = "ftp://example.com/hook", tenant = "client-1" }, "url"),
            (new { url = "not a url", tenant = "client-1" }, "url"),
            (new { url = "https://user:pw@example.com/hook", tenant = "client-1" }, "url"),
            (new { url = "https://example.com/hook", tenant = "client-1", events = new[] { "bounce", "opened" } }, "events"),
            (new { url = "https://example.com/hook", tenant = "client-1", events = Array.Empty<string>() }, "events"),
            (new { url = "https://example.com/hook" }, "tenant"),
        })
        {
            var response = await _client.PostAsJsonAsync("/api/v1/webhooks", body);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(body)} → {response.StatusCode} {problem}");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>("/api/v1/webhooks")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_secret_is_shown_once_and_kept_only_encrypted()
    {
        var (id, secret) = await CreateWebhookAsync(new { url = _receiver.Url, tenant = "client-1" });
        Assert.StartsWith("whsec_", secret);
        Assert.DoesNotContain(secret, await _client.GetStringAsync($"/api/v1/webhooks/{id}"));
        Assert.DoesNotContain(secret, await _client.GetStringAsync("/api/v1/webhooks"));

        await using (var connection = new NpgsqlConnection(_engine.Postgres.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT * FROM webhooks", connection);
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            for (var i = 0; i < reader.FieldCount; i++)
            {
                var value = reader.GetValue(i) is byte[] bytes ? Encoding.UTF8.GetString(bytes) + Convert.ToBase64String(bytes) : Convert.ToString(reader.GetValue(i)) ?? "";
                Assert.DoesNotContain(secret[6..], value);
            }
        }

        var rotated = await (await _client.PostAsync($"/api/v1/webhooks/{id}/rotate-secret", null)).Content.ReadFromJsonAsync<JsonElement>();
        var newSecret = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(secret, newSecret);
        await _client.PostAsync($"/api/v1/webhooks/{id}/ping", null);
        await DeliverUntilAsync(() => _receiver.Accepted.Count == 1);
        AssertSigned(_receiver.Accepted[0], newSecret);
    }

    [Fact]
    public async Task Without_the_master_key_on_PostgreSQL_creation_answers_503_and_writes_nothing()
    {
        await using var server = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["DKIM_MASTER_KEY"] = "" });
        using var client = server.Client();

        var response = await client.PostAsJsonAsync("/api/v1/webhooks", new { url = "https://crm.example.com/hook", tenant = "client-1" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("DKIM_MASTER_KEY", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(0, await server.Postgres.ScalarAsync<long>("SELECT count(*) FROM webhooks"));
        Assert.Equal(0, await server.Postgres.ScalarAsync<long>("SELECT count(*) FROM tenants"));
    }
}
