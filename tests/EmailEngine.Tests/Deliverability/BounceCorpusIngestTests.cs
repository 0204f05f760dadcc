using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Deliverability;
using EmailEngine.Tests.Infrastructure;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Deliverability;

/// <summary>
/// The corpus through the real path, as the issue measured it: every line becomes a <c>b</c> record with an empty
/// bounceCat in an accounting file, uploaded and ingested on PostgreSQL. The stats and the suppressions must show
/// exactly the classes the classifier gives the same lines, so quoting, commas, UTF-8 and escape sequences in real
/// diagnostics survive the CSV reader and nothing is classified differently on the way.
/// </summary>
public sealed class BounceCorpusIngestTests : ApiTest
{
    [Fact]
    public async Task Every_corpus_line_ingested_as_a_bounce_is_counted_in_the_class_the_classifier_gives_it()
    {
        (await Client.PostAsJsonAsync("/api/v1/ips", new { ip = "203.0.113.1", domain = "mail1.domain1.com" })).EnsureSuccessStatusCode();
        (await Client.PostAsJsonAsync("/api/v1/tenants", new { slug = "client-1" })).EnsureSuccessStatusCode();
        var corpus = BounceCorpus.Load().Where(line => line.Type != "f").ToList();
        var file = new StringBuilder(Header);
        for (var i = 0; i < corpus.Count; i++)
            file.Append(Line("b", "2026-11-25 10:15:00+0000", $"r{i}@gmail.com", status: corpus[i].Status ?? "", diag: corpus[i].Diagnostic ?? ""));

        var ingested = await UploadAsync(Client, file.ToString());

        Assert.Equal(corpus.Count, ingested.GetProperty("records").GetInt64());
        var expected = corpus.GroupBy(line => BounceClassifier.Classify("b", null, line.Status, line.Diagnostic).Class).ToDictionary(g => g.Key, g => (long)g.Count());
        var stats = await Client.GetFromJsonAsync<JsonElement>("/api/v1/stats?from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z");
        var bounced = stats.GetProperty("totals").GetProperty("bounced");
        foreach (var @class in new[] { BounceClass.Hard, BounceClass.Soft, BounceClass.Block, BounceClass.Other })
            Assert.True(expected.GetValueOrDefault(@class) == bounced.GetProperty(@class.ToString().ToLowerInvariant()).GetInt64(),
                $"{@class}: {bounced} in the stats, {expected.GetValueOrDefault(@class)} by the classifier");
        Assert.Equal(expected[BounceClass.Hard], await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM suppressions WHERE reason = 'hard_bounce'"));
    }
}
