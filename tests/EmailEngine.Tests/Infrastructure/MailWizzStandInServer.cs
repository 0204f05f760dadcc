using System.Net.Http.Json;
using System.Text.Json;
using MailWizzStandIn;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>The MailWizz stand-in on a free 127.0.0.1 port; tests reach it only over HTTP.</summary>
public sealed class MailWizzStandInServer : IAsyncDisposable
{
    public const string ApiKey = "standin-test-key";

    private readonly WebApplication _app;
    private readonly HttpClient _inspect;

    private MailWizzStandInServer(WebApplication app, Uri root)
    {
        _app = app;
        Root = root;
        _inspect = new HttpClient { BaseAddress = root };
    }

    public Uri Root { get; }
    /// <summary>The MAILWIZZ_URL form: the API base ending in /api.</summary>
    public string ApiUrl => new Uri(Root, "/api").ToString();

    /// <summary>Starts on a free port; <paramref name="options"/> are more command-line options (<c>--delivery-server</c>…).</summary>
    public static async Task<MailWizzStandInServer> StartAsync(params string[] options)
    {
        var app = StandInApp.Create(["--urls", "http://127.0.0.1:0", "--api-key", ApiKey, .. options]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new MailWizzStandInServer(app, new Uri(address));
    }

    /// <summary>Engine settings that point at this stand-in, with operator sender defaults so lists can be created.</summary>
    public Dictionary<string, string> EngineSettings() => new()
    {
        ["MAILWIZZ_URL"] = ApiUrl, ["MAILWIZZ_API_KEY"] = ApiKey, ["MAILWIZZ_REQUESTS_PER_SECOND"] = "500",
        ["SENDER_FROM_NAME"] = "SOS Holidays", ["SENDER_FROM_EMAIL"] = "hello@sos-holidays.com",
        ["COMPANY_NAME"] = "SOS Holidays SARL", ["COMPANY_ADDRESS"] = "1 rue de la Paix", ["COMPANY_CITY"] = "Paris",
        ["COMPANY_ZIP"] = "75002", ["COMPANY_COUNTRY"] = "France",
    };

    public async Task<JsonElement> StateAsync() => await _inspect.GetFromJsonAsync<JsonElement>("/_standin/state");

    public async Task<JsonElement> MessagesAsync() => await _inspect.GetFromJsonAsync<JsonElement>("/_standin/messages");

    public async Task<JsonElement> OutboxAsync() => await _inspect.GetFromJsonAsync<JsonElement>("/_standin/outbox");

    public async Task<JsonElement> RequestsAsync() => await _inspect.GetFromJsonAsync<JsonElement>("/_standin/requests");

    public async Task SetFaultsAsync(object faults) => (await _inspect.PostAsJsonAsync("/_standin/faults", faults)).EnsureSuccessStatusCode();

    public async ValueTask DisposeAsync()
    {
        _inspect.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
