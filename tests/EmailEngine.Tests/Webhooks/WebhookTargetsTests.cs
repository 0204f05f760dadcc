using System.Net;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Webhooks;

namespace EmailEngine.Tests.Webhooks;

/// <summary>Tenants' URLs cannot reach the engine's own network, at registration or at connection time.</summary>
public sealed class WebhookTargetsTests
{
    private static readonly WebhookTargets Guarded = new(new WebhookOptions(TimeSpan.FromSeconds(5), AllowPrivateTargets: false));

    [Theory]
    [InlineData("http://127.0.0.1:1983/status")]
    [InlineData("http://localhost/hook")]
    [InlineData("http://[::1]/hook")]
    [InlineData("http://10.0.0.5/hook")]
    [InlineData("http://172.16.3.4/hook")]
    [InlineData("http://192.168.1.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://[::ffff:127.0.0.1]/hook")]
    public void Private_targets_are_refused_at_registration(string url) =>
        Assert.Contains("loopback, private or link-local", Guarded.Problem(url));

    [Theory]
    [InlineData("https://crm.example.com/hooks/email-engine")]
    [InlineData("http://203.0.113.10:8080/hook")]
    [InlineData("https://[2001:db8::1]/hook")]
    public void Public_targets_are_accepted(string url) => Assert.Null(Guarded.Problem(url));

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_when_connecting()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler { ConnectCallback = Guarded.ConnectAsync });
        var byName = new UriBuilder(receiver.Url) { Host = "localhost" }.Uri;

        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(byName, new StringContent("{}")));
        Assert.Contains("refused", refused.Message);
        Assert.Empty(receiver.Requests);

        using var open = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = new WebhookTargets(new WebhookOptions(TimeSpan.FromSeconds(5), AllowPrivateTargets: true)).ConnectAsync,
        });
        Assert.Equal(HttpStatusCode.OK, (await open.PostAsync(byName, new StringContent("{}"))).StatusCode);
    }
}
