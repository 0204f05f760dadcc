using System.Diagnostics;

namespace EmailEngine.Metrics;

/// <summary>
/// Times each HTTP attempt of an outgoing client (MailWizz: every attempt inside the retry pipeline; webhooks: the one
/// attempt per outbox run) under a fixed target name: the receiver's URL never becomes a label.
/// </summary>
public sealed class CallTimingHandler(EngineMetrics metrics, string target) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, ct);
            metrics.Called(target, $"{(int)response.StatusCode / 100}xx", Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch
        {
            metrics.Called(target, "error", Stopwatch.GetElapsedTime(started));
            throw;
        }
    }
}
