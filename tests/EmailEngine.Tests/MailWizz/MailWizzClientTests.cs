using EmailEngine.MailWizz;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.Tests.MailWizz;

/// <summary>The typed client against the stand-in's real error shapes, over HTTP.</summary>
public sealed class MailWizzClientTests : IAsyncLifetime
{
    private MailWizzStandInServer _standIn = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync() => _standIn = await MailWizzStandInServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_services is not null)
            await _services.DisposeAsync();
        await _standIn.DisposeAsync();
    }

    private MailWizzClient Client(string? apiKey = MailWizzStandInServer.ApiKey, int retries = 3)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddMailWizzClient(new MailWizzOptions
        {
            BaseUrl = new Uri(_standIn.ApiUrl), ApiKey = apiKey, RequestsPerSecond = 200, MaxRetries = retries, AttemptTimeout = TimeSpan.FromSeconds(5),
        });
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<MailWizzClient>();
    }

    private static ListDefinition List(string name = "ee:test") =>
        new(name, "d", "Sender", "sender@example.com", "reply@example.com", null, "Co", "1 street", "Paris", "75001", "France");

    [Fact]
    public async Task Wrong_key_is_an_auth_error()
    {
        var result = await Client(apiKey: "wrong").CreateListAsync(List(), CancellationToken.None);

        Assert.Equal(MailWizzErrorKind.Auth, result.Error?.Kind);
        Assert.Contains("Invalid API key", result.Error!.Message);
    }

    [Fact]
    public async Task List_validation_errors_come_back_per_field()
    {
        var result = await Client().CreateListAsync(List() with { FromEmail = "not-an-email" }, CancellationToken.None);

        Assert.Equal(MailWizzErrorKind.Validation, result.Error?.Kind);
        Assert.True(result.Error!.Fields!.ContainsKey("defaults.from_email"));
    }

    [Fact]
    public async Task Duplicate_subscriber_is_a_conflict_and_missing_ones_are_not_found()
    {
        var client = Client();
        var list = (await client.CreateListAsync(List(), CancellationToken.None)).Value!;
        var fields = new Dictionary<string, string> { ["EMAIL"] = "jane@example.com", ["FNAME"] = "Jane" };

        var first = await client.CreateSubscriberAsync(list, fields, CancellationToken.None);
        var second = await client.CreateSubscriberAsync(list, fields, CancellationToken.None);
        var found = await client.FindSubscriberAsync(list, "jane@example.com", CancellationToken.None);
        var missing = await client.FindSubscriberAsync(list, "nobody@example.com", CancellationToken.None);
        var noCampaign = await client.GetCampaignAsync("doesnotexist1", CancellationToken.None);
        var noTemplate = await client.DeleteTemplateAsync("doesnotexist1", CancellationToken.None);

        Assert.True(first.IsSuccess);
        Assert.Equal(MailWizzErrorKind.Conflict, second.Error?.Kind);
        Assert.Equal(first.Value, found.Value!.SubscriberUid);
        Assert.True(missing.IsSuccess);
        Assert.Null(missing.Value);
        Assert.Null(noCampaign.Value);
        Assert.Equal(MailWizzErrorKind.NotFound, noTemplate.Error?.Kind);
    }

    [Fact]
    public async Task Template_content_round_trips_through_base64()
    {
        var client = Client();
        const string html = "<html><body>Bonjour [FNAME], café & crème — 日本</body></html>";

        var uid = (await client.CreateTemplateAsync("client-1/t", html, CancellationToken.None)).Value!;
        var found = await client.FindTemplateByNameAsync("client-1/t", CancellationToken.None);

        Assert.Equal(uid, found.Value!.TemplateUid);
        var state = await _standIn.StateAsync();
        Assert.Equal(html, state.GetProperty("templates")[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Down_service_is_unavailable_after_retries()
    {
        await _standIn.SetFaultsAsync(new { down_for_seconds = 30 });

        var result = await Client(retries: 1).FindListByNameAsync("ee:x", CancellationToken.None);

        Assert.Equal(MailWizzErrorKind.Unavailable, result.Error?.Kind);
    }

    [Fact]
    public async Task Throttling_is_retried_and_succeeds()
    {
        // Deterministic: a random rate can trip the circuit breaker (80 % failures over 10 calls) and flake.
        await _standIn.SetFaultsAsync(new { throttle_next = 3, retry_after_seconds = 0 });
        var client = Client(retries: 4);

        for (var i = 0; i < 3; i++)
            Assert.True((await client.FindListByNameAsync($"ee:{i}", CancellationToken.None)).IsSuccess);

        var statuses = (await _standIn.RequestsAsync()).EnumerateArray().Select(r => r.GetProperty("Status").GetInt32()).ToList();
        Assert.Equal([429, 429, 429, 200, 200, 200], statuses);
    }

    [Fact]
    public async Task Repeated_failures_open_the_circuit_and_the_health_check_and_gauge_say_so()
    {
        var client = Client(retries: 1);
        var circuit = _services.GetRequiredService<MailWizzCircuit>();
        var health = new MailWizzHealthCheck(circuit);
        Assert.Equal((0, HealthStatus.Healthy), (circuit.Level, (await health.CheckHealthAsync(new HealthCheckContext())).Status));

        await _standIn.SetFaultsAsync(new { down_for_seconds = 60 });
        var held = 0;
        for (var i = 0; i < 14; i++)
            if ((await client.FindListByNameAsync($"ee:{i}", CancellationToken.None)).Error is { HeldBack: true })
                held++;

        // 80 % failures over at least 10 calls: the breaker opens, and the calls after it never reach MailWizz.
        Assert.Equal(Polly.CircuitBreaker.CircuitState.Open, circuit.State);
        Assert.Equal(2, circuit.Level);
        Assert.True(held >= 1, $"{held} calls held back");
        var report = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Contains("circuit open since", report.Description);
        Assert.Contains("503", report.Description);
    }

    [Fact]
    public async Task Bulk_subscribe_reports_per_item_errors()
    {
        var client = Client();
        var list = (await client.CreateListAsync(List(), CancellationToken.None)).Value!;
        IReadOnlyDictionary<string, string> Row(string email) => new Dictionary<string, string> { ["EMAIL"] = email, ["FNAME"] = "X" };

        var result = await client.CreateSubscribersBulkAsync(list, [Row("a@example.com"), Row("broken"), Row("b@example.com"), Row("a@example.com")], CancellationToken.None);

        Assert.True(result.IsSuccess);
        Assert.Equal([true, false, true, false], result.Value!.Select(r => r.Errors is null));
        Assert.NotNull(result.Value![0].SubscriberUid);
    }
}
