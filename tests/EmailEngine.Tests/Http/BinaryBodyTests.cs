using System.Net;
using System.Net.Http.Headers;
using System.Text;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>Raw-body routes given bytes that are not what they take answer 400 and store nothing, on both providers.</summary>
public sealed class BinaryBodyTests
{
    private static readonly byte[] Binary = [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))];

    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task Binary_and_malformed_bodies_are_400_and_nothing_is_stored(Provider provider)
    {
        await using var server = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = server.Client();

        var config = await client.PostAsync("/api/v1/pmta/import-v1", new ByteArrayContent(Binary));
        var accounting = await client.PostAsync("/api/v1/accounting/upload?name=acct.csv", new ByteArrayContent(Binary));
        var multipart = new StringContent("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.csv\"\r\n\r\ntype,timeLogged\r\nd,2027", Encoding.UTF8);
        multipart.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        var truncated = await client.PostAsync("/api/v1/accounting/upload", multipart);

        foreach (var (route, response) in new[] { ("import-v1", config), ("upload", accounting), ("multipart", truncated) })
        {
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.Contains("\"latest\":null", (await client.GetStringAsync("/api/v1/pmta/base")).Replace(" ", ""));
    }
}
