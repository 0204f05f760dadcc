using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>A tenant's webhook endpoint on a free 127.0.0.1 port: records every request, and answers
/// <see cref="FailingStatus"/> to the next <see cref="FailNext"/> requests.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _received = new();
    private int _failNext;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    public IReadOnlyList<Received> Requests => [.. _received];
    public IReadOnlyList<Received> Accepted => _received.Where(r => r.AnsweredWith == 200).ToList();
    public int FailingStatus { get; set; } = 503;

    public int FailNext { set => Volatile.Write(ref _failNext, value); }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            var status = Interlocked.Decrement(ref receiver._failNext) >= 0 ? receiver.FailingStatus : 200;
            receiver._received.Enqueue(new Received(context.Request.Path, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.Url = new Uri(address + "/hooks/ee");
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
