using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Accounting;

/// <summary>The embedded default: the same upserts, resume and grouped stats on SQLite.</summary>
public sealed class AcctIngestSqliteTests
{
    [Fact]
    public async Task Upload_resume_and_daily_stats_work_on_sqlite()
    {
        await using var server = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = server.Client();
        (await client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1" })).EnsureSuccessStatusCode();
        var first = Header + Line("d", "2026-11-25 10:00:00+0000", "a@gmail.com") + Line("b", "2026-11-25 23:00:00+0000", "b@yahoo.fr", status: "5.1.1", category: "bad-mailbox");
        var grown = first + Line("d", "2026-11-26 01:00:00+0000", "c@gmail.com");

        await UploadAsync(client, first);
        var second = await UploadAsync(client, grown);

        Assert.Equal(1, second.GetProperty("records").GetInt64());
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/v1/stats?from=2026-11-25&to=2026-11-27&granularity=day&group_by=isp");
        var items = stats.GetProperty("items").EnumerateArray()
            .Select(i => (i.GetProperty("time").GetString(), i.GetProperty("isp").GetString(), i.GetProperty("sent").GetInt64())).ToList();
        Assert.Equal([("2026-11-25T00:00:00.000Z", "gmail", 1L), ("2026-11-25T00:00:00.000Z", "yahoo", 1L), ("2026-11-26T00:00:00.000Z", "gmail", 1L)],
            items.OrderBy(i => i.Item1).ThenBy(i => i.Item2).ToList());
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?email=b@yahoo.fr&tenant=client-1")).GetProperty("suppressed").GetBoolean());
    }
}
