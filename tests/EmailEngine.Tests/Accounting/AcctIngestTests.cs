using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Accounting;

/// <summary>Upload → classification → attribution → hourly stats and suppressions, on PostgreSQL.</summary>
public sealed class AcctIngestTests : ApiTest
{
    private const string T = "2026-11-25 10:15:00+0000";

    private static readonly string Mixed = Header
        + Line("d", T, "ann@gmail.com")
        + Line("d", "2026-11-25 10:59:59+0000", "bob@gmail.com")
        + Line("b", T, "gone@gmail.com", status: "5.1.1", diag: "smtp;550-5.1.1 The email account that you tried to reach does not exist.", category: "bad-mailbox")
        + Line("b", T, "x@gmail.com", status: "5.7.26", diag: "smtp;550-5.7.26 Unauthenticated email from domain1.com is not accepted due to domain's DMARC policy, sorry", category: "bad-mailbox")
        + Line("t", T, "y@gmail.com", status: "4.7.28", diag: "smtp;421-4.7.28 unusual rate of unsolicited mail")
        + Line("t", T, "z@hotmail.fr", vmta: "vmta-2", status: "4.2.2", diag: "smtp;452 4.2.2 Mailbox full")
        + Line("f", "2026-11-25 11:05:00+0000", "angry@hotmail.fr", vmta: "vmta-2")
        + Line("rb", "2026-11-25 11:10:00+0000", "late@orange.fr", vmta: "", sourceIp: "203.0.113.3", status: "5.1.1", diag: "smtp;550 5.1.1 user unknown", category: "bad-mailbox")
        + Line("tq", T, "")
        + Line("r", T, "in@domain1.com");

    private async Task RegisterIpsAsync()
    {
        for (var i = 1; i <= 3; i++)
            (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com" })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1" })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-2" })).EnsureSuccessStatusCode();
    }

    private async Task<JsonElement> StatsAsync(string query, HttpClient? client = null)
    {
        var response = await (client ?? Client).GetAsync("/api/v1/stats?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z&" + query);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        return body;
    }

    [Fact]
    public async Task Daily_buckets_read_whole_days_from_the_rollup_and_partial_days_from_the_hours_with_the_same_totals()
    {
        await RegisterIpsAsync();
        var file = Header;
        // Deliveries at 03:00, 12:00 and 22:00 on 24, 25, 26 and 27 November (vmta-1 at Gmail), one bounce a day at 12:00.
        foreach (var day in new[] { 24, 25, 26, 27 })
        {
            foreach (var hour in new[] { "03", "12", "22" })
                file += Line("d", $"2026-11-{day} {hour}:30:00+0000", $"d{day}{hour}@gmail.com");
            file += Line("b", $"2026-11-{day} 12:40:00+0000", $"b{day}@gmail.com", status: "5.1.1", diag: "smtp;550 5.1.1 user unknown", category: "bad-mailbox");
        }
        await UploadAsync(Client, file);

        async Task<List<(string Time, long Sent, long Hard)>> DaysAsync(string from, string to, string granularity = "day")
        {
            var body = await Client.GetFromJsonAsync<JsonElement>($"/api/v1/stats?from={from}&to={to}&granularity={granularity}");
            return body.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("time").GetString()!, i.GetProperty("sent").GetInt64(),
                i.GetProperty("bounced").GetProperty("hard").GetInt64())).ToList();
        }

        // From 24 Nov 12:00 to 27 Nov 12:00: the 24th and 27th are partial (hourly rows), the 25th and 26th whole (daily rollup).
        Assert.Equal(
        [
            ("2026-11-24T00:00:00.000Z", 3, 1), ("2026-11-25T00:00:00.000Z", 4, 1), ("2026-11-26T00:00:00.000Z", 4, 1),
            ("2026-11-27T00:00:00.000Z", 1, 0),
        ], await DaysAsync("2026-11-24T12:00:00Z", "2026-11-27T12:00:00Z"));
        var hourly = await DaysAsync("2026-11-24T12:00:00Z", "2026-11-27T12:00:00Z", "hour");
        Assert.Equal(12, hourly.Sum(h => h.Sent));
        Assert.Equal([("2026-11-25T00:00:00.000Z", 4, 1), ("2026-11-26T00:00:00.000Z", 4, 1)], await DaysAsync("2026-11-25", "2026-11-27"));

        // A second file adds to both the hours and the days.
        await UploadAsync(Client, Header + Line("d", "2026-11-25 23:59:00+0000", "late@gmail.com"), name: "acct-2.csv");
        Assert.Equal([("2026-11-25T00:00:00.000Z", 5, 1), ("2026-11-26T00:00:00.000Z", 4, 1)], await DaysAsync("2026-11-25", "2026-11-27"));
    }

    [Fact]
    public async Task Every_outcome_is_counted_once_per_hour_ip_and_isp_and_a_second_upload_adds_nothing()
    {
        await RegisterIpsAsync();

        var first = await UploadAsync(Client, Mixed);
        var again = await UploadAsync(Client, Mixed, name: "copy-of-acct.csv");

        Assert.Equal(10, first.GetProperty("records").GetInt64());
        Assert.Equal(0, again.GetProperty("records").GetInt64());
        Assert.Equal(first.GetProperty("identity").GetString(), again.GetProperty("identity").GetString());
        var stats = await StatsAsync("granularity=hour&group_by=ip,isp");
        var items = stats.GetProperty("items").EnumerateArray().ToList();
        var gmail = items.Single(i => i.GetProperty("vmta").GetString() == "vmta-1" && i.GetProperty("isp").GetString() == "gmail");
        Assert.Equal("2026-11-25T10:00:00.000Z", gmail.GetProperty("time").GetString());
        Assert.Equal("203.0.113.1", gmail.GetProperty("ip").GetString());
        Assert.Equal((4, 2, 1), (gmail.GetProperty("sent").GetInt64(), gmail.GetProperty("delivered").GetInt64(), gmail.GetProperty("deferred").GetInt64()));
        Assert.Equal(1, gmail.GetProperty("bounced").GetProperty("hard").GetInt64());
        Assert.Equal(1, gmail.GetProperty("bounced").GetProperty("block").GetInt64());
        Assert.Equal(0.5, gmail.GetProperty("rates").GetProperty("bounce").GetDouble());
        var complaint = items.Single(i => i.GetProperty("time").GetString() == "2026-11-25T11:00:00.000Z" && i.GetProperty("isp").GetString() == "microsoft");
        Assert.Equal(1, complaint.GetProperty("complaints").GetInt64());
        // The remote bounce had no vmta: its source IP names it.
        var remote = items.Single(i => i.GetProperty("isp").GetString() == "orange");
        Assert.Equal(("vmta-3", 0L, 1L), (remote.GetProperty("vmta").GetString(), remote.GetProperty("sent").GetInt64(), remote.GetProperty("bounced").GetProperty("hard").GetInt64()));
        var totals = stats.GetProperty("totals");
        Assert.Equal((4, 2, 2, 1), (totals.GetProperty("sent").GetInt64(), totals.GetProperty("delivered").GetInt64(), totals.GetProperty("deferred").GetInt64(), totals.GetProperty("complaints").GetInt64()));

        using var scope = Server.Services.CreateScope();
        var query = scope.ServiceProvider.GetRequiredService<DeliveryStatsQuery>();
        var day = new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);
        var vmta1 = await query.TotalsAsync("vmta-1", IspGroup.Gmail, day, day.AddDays(1), CancellationToken.None);
        Assert.Equal(new OutcomeTotals(4, 2, 1, 1, 1, 0, 1, 0, 0), vmta1);
        Assert.Equal(OutcomeTotals.Zero, await query.TotalsAsync("vmta-1", IspGroup.Gmail, day.AddHours(11), day.AddDays(1), CancellationToken.None));
        Assert.Equal(1, (await query.TotalsAsync("vmta-2", null, day, day.AddDays(1), CancellationToken.None)).Complaints);
    }

    [Fact]
    public async Task The_daily_run_reads_every_IP_at_once_and_finds_what_it_finds_IP_by_IP()
    {
        await RegisterIpsAsync();
        await UploadAsync(Client, Mixed + Line("d", "2026-11-20 09:00:00+0000", "older@gmail.com") + Line("d", "2026-11-10 09:00:00+0000", "old@gmail.com"));
        using var scope = Server.Services.CreateScope();
        var query = scope.ServiceProvider.GetRequiredService<DeliveryStatsQuery>();
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
        // vmta-3 started its window two days ago (read on its own); vmta-9 sent nothing.
        var ips = new (string, DateTimeOffset)[] { ("vmta-1", DateTimeOffset.MinValue), ("vmta-2", now.AddDays(-30)), ("vmta-3", now.AddDays(-2)), ("vmta-9", DateTimeOffset.MinValue) };

        var many = await EmailEngine.Warmup.WarmupFigures.CollectManyAsync(query, ips, now, CancellationToken.None);

        Assert.Equal(4, many.Count);
        foreach (var (vmta, windowStart) in ips)
        {
            var one = await EmailEngine.Warmup.WarmupFigures.CollectAsync(query, vmta, windowStart, now, CancellationToken.None);
            Assert.Equal((one.From24h, one.From7d, one.Ip24h, one.Ip7d), (many[vmta].From24h, many[vmta].From7d, many[vmta].Ip24h, many[vmta].Ip7d));
            Assert.Equal(one.Groups24h.OrderBy(g => g.Key), many[vmta].Groups24h.OrderBy(g => g.Key));
        }
        Assert.Equal((4L, 5L), (many["vmta-1"].Ip24h.Sent, many["vmta-1"].Ip7d.Sent)); // the 20th is in the week, the 10th is not
        Assert.Equal(OutcomeTotals.Zero, many["vmta-9"].Ip7d);
    }

    [Fact]
    public async Task Hard_bounces_and_complaints_suppress_for_the_tenant_and_queue_the_MailWizz_unsubscribe()
    {
        await RegisterIpsAsync();

        var result = await UploadAsync(Client, Mixed);

        Assert.Equal(3, result.GetProperty("suppressed").GetInt64()); // gone@ (hard), angry@ (complaint), late@ (remote hard)
        var list = await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions?tenant=client-1");
        var entries = list.GetProperty("items").EnumerateArray().ToDictionary(e => e.GetProperty("email").GetString()!, e => e);
        Assert.Equal(["angry@hotmail.fr", "gone@gmail.com", "late@orange.fr"], entries.Keys.Order());
        Assert.Equal("hard_bounce", entries["gone@gmail.com"].GetProperty("reason").GetString());
        Assert.Equal("complaint", entries["angry@hotmail.fr"].GetProperty("reason").GetString());
        Assert.StartsWith("acct:acct.csv#", entries["gone@gmail.com"].GetProperty("source").GetString());
        Assert.Contains("userunknown: unknown mailbox", entries["gone@gmail.com"].GetProperty("note").GetString());
        // The DMARC block and the deferrals blame the IP, not the recipient.
        Assert.False((await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=x@gmail.com&tenant=client-1")).GetProperty("suppressed").GetBoolean());
        Assert.False((await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=gone@gmail.com&tenant=client-2")).GetProperty("suppressed").GetBoolean());
        Assert.Equal(3, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE kind = 'mailwizz.unsubscribe'"));
    }

    [Fact]
    public async Task Soft_bounces_suppress_after_three_within_seven_days()
    {
        await RegisterIpsAsync();
        string Soft(string time) => Line("b", time, "full@orange.fr", status: "5.2.2", diag: "smtp;552 5.2.2 Mailbox full", category: "quota-issues");

        // Two soft bounces, then a third nine days later: the window holds at most two at a time.
        await UploadAsync(Client, Header + Soft("2026-11-01 08:00:00+0000") + Soft("2026-11-03 08:00:00+0000") + Soft("2026-11-12 08:00:00+0000"), "a.csv");
        Assert.False((await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=full@orange.fr&tenant=client-1")).GetProperty("suppressed").GetBoolean());

        var result = await UploadAsync(Client, Header + Soft("2026-11-14 08:00:00+0000") + Soft("2026-11-15 08:00:00+0000"), "b.csv");

        Assert.Equal(1, result.GetProperty("suppressed").GetInt64());
        var check = await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=full@orange.fr&tenant=client-1");
        Assert.Equal("soft_bounce", check.GetProperty("entries")[0].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_growing_file_is_resumed_after_its_last_complete_record_and_gzip_multipart_uploads_count_the_same()
    {
        await RegisterIpsAsync();
        var full = Header + Line("d", T, "a@gmail.com") + Line("d", T, "b@gmail.com") + Line("b", T, "c@gmail.com", status: "5.1.1", category: "bad-mailbox");
        var partial = full[..^20]; // the last record is being written

        var first = await UploadAsync(Client, partial);
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(full));
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(compressed.ToArray());
        part.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        form.Add(part, "file", "acct-2026-11-25-1100.csv.gz");
        var response = await Client.PostAsync("/api/v1/accounting/upload", form);
        var second = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("files")[0];

        Assert.Equal(2, first.GetProperty("records").GetInt64());
        Assert.Equal(1, second.GetProperty("records").GetInt64());
        Assert.Equal(first.GetProperty("to_offset").GetInt64(), second.GetProperty("from_offset").GetInt64());
        Assert.Equal(Encoding.UTF8.GetByteCount(full), second.GetProperty("to_offset").GetInt64());
        var totals = (await StatsAsync("granularity=day")).GetProperty("totals");
        Assert.Equal((3, 2, 1), (totals.GetProperty("sent").GetInt64(), totals.GetProperty("delivered").GetInt64(), totals.GetProperty("bounced").GetProperty("hard").GetInt64()));
    }

    [Fact]
    public async Task Records_without_a_tenant_header_are_attributed_by_the_recipient_and_tenant_keys_see_only_their_own()
    {
        await RegisterIpsAsync();
        (await Client.PostAsJsonAsync("/api/v2/contacts", new { email = "Known@Gmail.com", tenant = "client-2", language = "fr" })).EnsureSuccessStatusCode();
        var content = Header + Line("d", T, "ann@gmail.com") + Line("d", T, "known@gmail.com", tenant: "")
            + Line("b", T, "known@gmail.com", tenant: "", status: "5.1.1", category: "bad-mailbox") + Line("d", T, "stranger@gmail.com", tenant: "");

        await UploadAsync(Client, content);

        var byTenant = (await StatsAsync("group_by=tenant")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("tenant").GetString() ?? "(none)", i => i.GetProperty("sent").GetInt64());
        Assert.Equal(new Dictionary<string, long> { ["client-1"] = 1, ["client-2"] = 2, ["(none)"] = 1 }, byTenant);
        Assert.True((await Client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=known@gmail.com&tenant=client-2")).GetProperty("suppressed").GetBoolean());

        using var tenant = Server.Client(await KeyFor("client-2"));
        var own = await StatsAsync("group_by=tenant", tenant);
        Assert.Equal(2, own.GetProperty("totals").GetProperty("sent").GetInt64());
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.GetAsync("/api/v1/stats?tenant=client-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenant.PostAsync("/api/v1/accounting/upload", new StringContent(content))).StatusCode);
    }

    private async Task<string> KeyFor(string slug)
    {
        var created = await Client.PostAsJsonAsync($"/api/v1/tenants/{slug}/keys", new { name = "test" });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    [Theory]
    [InlineData("granularity=week", "granularity")]
    [InlineData("group_by=ip,planet", "group_by")]
    [InlineData("from=yesterday", "from")]
    [InlineData("from=2026-11-26&to=2026-11-25", "from")]
    public async Task Bad_stats_parameters_answer_400_naming_the_field(string query, string field)
    {
        var response = await Client.GetAsync("/api/v1/stats?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _));
    }
}
