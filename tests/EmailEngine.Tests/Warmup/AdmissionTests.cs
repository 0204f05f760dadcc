using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Outbox;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Warmup;

/// <summary>
/// New subscribers enter MailWizz (which fires their welcome mail) only as fast as the sending pool may send: the rest
/// wait as deferred pushes, never failed, never lost, and go in when the pool has room.
/// </summary>
[LongRunning(25)]
public sealed class AdmissionTests : MailWizzStackTest
{
    public override Task InitializeAsync() => Task.CompletedTask; // each test starts the stack with its own headroom

    /// <param name="headroom">SENDING_DOMAIN_HEADROOM: the share of each domain's rate left unused.</param>
    private Task StartAsync(string headroom) => StartAsync(new Dictionary<string, string>
        { ["WARMUP_WORKER"] = "off", ["SENDING_DOMAIN_HEADROOM"] = headroom, ["SENDING_ACTIVE_IP_DAILY"] = "10" });

    [Fact]
    public async Task A_day_1_ip_admits_its_quota_in_total_and_per_domain_and_the_rest_wait_until_the_pool_grows()
    {
        await StartAsync(headroom: "0"); // each domain's exact rate
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming" })).EnsureSuccessStatusCode();
        // Day 1 of conservative-70: 5 a day in total, 1 a day for each of these domains' queues.
        string[] domains = ["gmail.com", "googlemail.com", "hotmail.com", "hotmail.fr", "outlook.com", "free.fr", "free.fr"];
        for (var i = 0; i < domains.Length; i++)
            Assert.True((await Client.PostAsJsonAsync("/api/v2/contacts", new { email = $"guest{i}@{domains[i]}", tenant = "client-1", language = "fr" })).IsSuccessStatusCode);

        await DrainAsync();

        Assert.Equal(5, await SubscriberCountAsync());
        var capacity = await Client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/capacity");
        Assert.Equal(5, capacity.GetProperty("daily_capacity").GetInt64());
        Assert.Equal(5, capacity.GetProperty("admitted24h").GetInt64());
        Assert.Equal(0, capacity.GetProperty("remaining").GetInt64());
        Assert.Equal(2, capacity.GetProperty("waiting").GetInt64());
        var held = await HeldAsync();
        Assert.Equal(2, held.Count);
        Assert.All(held, m =>
        {
            Assert.Equal(OutboxStatus.Pending, m.Status);
            Assert.Equal(0, m.Attempts); // waiting is not an attempt
            Assert.True(m.NextAttemptAt > DateTimeOffset.UtcNow.AddDays(1)); // asleep until the pump wakes it
            Assert.Contains("held back by design", m.LastError);
        });

        // Nothing to wake while the pool is full; a newcomer queues too.
        Assert.Equal(0, await ReleaseAsync());
        Assert.True((await Client.PostAsJsonAsync("/api/v2/contacts", new { email = "late@free.fr", tenant = "client-1", language = "fr" })).IsSuccessStatusCode);
        await DrainAsync();
        Assert.Equal(3, (await HeldAsync()).Count);

        // A second warming IP: 10 a day in total, but still 2 a day for free.fr's queue: two of the three free.fr
        // subscribers go in, the third waits for tomorrow's room, each once.
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain2.com", status = "warming" })).EnsureSuccessStatusCode();
        Assert.Equal(2, await ReleaseAsync());
        await DrainAsync();

        Assert.Equal(7, await SubscriberCountAsync());
        var stillHeld = Assert.Single(await HeldAsync());
        Assert.Equal("free.fr", stillHeld.CapacityDomain);
        Assert.Equal(7, (await Client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/capacity")).GetProperty("admitted24h").GetInt64());
    }

    [Fact]
    public async Task Deferrals_of_the_last_24_hours_and_the_headroom_take_a_domains_room()
    {
        // Two active IPs: 20 a day in total and for each domain. A 20 % headroom of gmail.com's 20 and the last 24
        // hours' 3 gmail.com deferrals leave 16 − 3 = 13 for gmail.com; a deferral three days old counts no more.
        await StartAsync(headroom: "0.2");
        foreach (var (ip, domain) in new[] { ("203.0.113.1", "mail1.domain1.com"), ("203.0.113.2", "mail2.domain2.com") })
            (await Client.PostAsJsonAsync("/api/v1/ips", new { ip, domain, status = "active" })).EnsureSuccessStatusCode();
        await Accounting.AcctFiles.UploadAsync(Client, Accounting.AcctFiles.Header
            + string.Concat(Enumerable.Range(0, 3).Select(i => Accounting.AcctFiles.Line("t", HoursAgo(1), $"old{i}@gmail.com", status: "4.7.28", diag: "smtp;421 4.7.28 rate limited")))
            + Accounting.AcctFiles.Line("t", HoursAgo(72), "older@gmail.com", status: "4.7.28", diag: "smtp;421 4.7.28 rate limited"));

        for (var i = 0; i < 15; i++)
            Assert.True((await Client.PostAsJsonAsync("/api/v2/contacts", new { email = $"guest{i}@gmail.com", tenant = "client-1", language = "fr" })).IsSuccessStatusCode);
        await DrainAsync();

        Assert.Equal(13, await SubscriberCountAsync());
        var capacity = await Client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/capacity");
        Assert.Equal((20, 13, 3, 4), (capacity.GetProperty("daily_capacity").GetInt64(), capacity.GetProperty("admitted24h").GetInt64(),
            capacity.GetProperty("deferred24h").GetInt64(), capacity.GetProperty("remaining").GetInt64()));
        Assert.Equal(2, (await HeldAsync()).Count);
        Assert.Equal(0, await ReleaseAsync());
    }

    [Fact]
    public async Task One_sending_ip_has_no_headroom_to_keep_but_its_deferrals_still_count()
    {
        // With one IP PowerMTA has no choice of IP to make: the domain's whole rate, less its deferrals.
        await StartAsync(headroom: "0.2");
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "active" })).EnsureSuccessStatusCode();
        await Accounting.AcctFiles.UploadAsync(Client, Accounting.AcctFiles.Header
            + Accounting.AcctFiles.Line("t", HoursAgo(2), "old@gmail.com", status: "4.7.28", diag: "smtp;421 4.7.28 rate limited"));

        for (var i = 0; i < 10; i++)
            Assert.True((await Client.PostAsJsonAsync("/api/v2/contacts", new { email = $"guest{i}@gmail.com", tenant = "client-1", language = "fr" })).IsSuccessStatusCode);
        await DrainAsync();

        Assert.Equal(9, await SubscriberCountAsync());
        Assert.Single(await HeldAsync());
    }

    [Fact]
    public async Task Each_tenant_is_admitted_against_its_own_pool_and_never_borrows_another_tenants_room()
    {
        // tenant-a owns a day-1 warming IP (5 a day), tenant-b an active one (10 a day), tenant-c none, and nobody sends
        // in the shared pool: tenant-a's mail can only leave through its IP, so 15 in total must not let 8 of its in.
        await StartAsync(headroom: "0");
        foreach (var slug in new[] { "tenant-a", "tenant-b", "tenant-c" })
            (await Client.PostAsJsonAsync("/api/v1/tenants", new { slug })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com", status = "warming", tenant = "tenant-a" })).EnsureSuccessStatusCode();
        var ipB = await (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.2", domain = "mail2.domain2.com", status = "active", tenant = "tenant-b" }))
            .EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        // Two deferrals tenant-b's IP logged take tenant-b's room, not tenant-a's.
        await Accounting.AcctFiles.UploadAsync(Client, Accounting.AcctFiles.Header + string.Concat(Enumerable.Range(0, 2).Select(i =>
            Accounting.AcctFiles.Line("t", HoursAgo(1), $"old{i}@boutique{i}.fr", vmta: ipB.GetProperty("vmta").GetString()!, tenant: "tenant-b",
                status: "4.7.28", diag: "smtp;421 4.7.28 rate limited"))));
        foreach (var tenant in new[] { "tenant-a", "tenant-b" })
            for (var i = 0; i < 8; i++)
                await AcceptedAsync(new { email = $"{tenant}-{i}@boutique{i}.fr", tenant, language = "fr" });
        await AcceptedAsync(new { email = "guest@boutique1.fr", tenant = "tenant-c", language = "fr" });

        await DrainAsync();

        Assert.Equal(13, await SubscriberCountAsync()); // 5 of tenant-a's, 8 of tenant-b's (10 less 2 deferrals), none of tenant-c's
        var held = await HeldAsync();
        Assert.Equal(["pool-all", "pool-tenant-a", "pool-tenant-a", "pool-tenant-a"], held.Select(m => m.CapacityPool).Order());
        var pools = (await Client.GetFromJsonAsync<JsonElement>("/api/v1/warmup/capacity")).GetProperty("pools").EnumerateArray()
            .ToDictionary(p => p.GetProperty("pool").GetString()!, p => (p.GetProperty("daily_capacity").GetInt64(), p.GetProperty("admitted24h").GetInt64(),
                p.GetProperty("remaining").GetInt64(), p.GetProperty("waiting").GetInt64()));
        Assert.Equal((5, 5, 0, 3), pools["pool-tenant-a"]);
        Assert.Equal((10, 8, 0, 0), pools["pool-tenant-b"]);
        Assert.Equal((0, 0, 0, 1), pools["pool-all"]);
        Assert.Contains("in pool-tenant-a", held.First(m => m.CapacityPool == "pool-tenant-a").LastError);
        // Room freed in tenant-b's pool is not tenant-a's to take.
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.3", domain = "mail3.domain3.com", status = "active", tenant = "tenant-b" })).EnsureSuccessStatusCode();
        Assert.Equal(0, await ReleaseAsync());
    }

    private async Task AcceptedAsync(object contact)
    {
        using var response = await Client.PostAsJsonAsync("/api/v2/contacts", contact);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>An accounting timestamp (PowerMTA's <c>yyyy-MM-dd HH:mm:sszzz</c>) some hours back.</summary>
    private static string HoursAgo(int hours) =>
        DateTimeOffset.UtcNow.AddHours(-hours).ToString("yyyy-MM-dd HH:mm:ss+0000", System.Globalization.CultureInfo.InvariantCulture);

    private async Task DrainAsync()
    {
        var dispatcher = Engine.Services.GetRequiredService<OutboxDispatcher>();
        for (var round = 0; round < 20 && await dispatcher.DrainAsync(CancellationToken.None) > 0; round++)
            await Task.Delay(1100); // pushes waiting on the list or the autoresponder come back after a second
    }

    private async Task<int> ReleaseAsync()
    {
        await using var scope = Engine.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<EmailEngine.Warmup.SendingCapacity>().ReleaseAsync(CancellationToken.None);
    }

    private async Task<int> SubscriberCountAsync()
    {
        var state = await MailWizz.StateAsync();
        return state.GetProperty("lists").EnumerateArray().Sum(l => l.GetProperty("subscribers").GetArrayLength());
    }

    private async Task<List<OutboxMessage>> HeldAsync()
    {
        await using var scope = Engine.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<EmailEngine.Data.AppDbContext>();
        return db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.HeldForCapacity).ToList();
    }
}
