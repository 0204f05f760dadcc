using System.CommandLine;

namespace EmailEngine.Cli;

/// <summary>Container health probe: the images have no curl, so the binary checks its own /health.</summary>
internal static class HealthcheckCommand
{
    public static Command Build()
    {
        var command = new Command("healthcheck", "Exit 0 when the local service answers /health (used by the Docker HEALTHCHECK).");
        command.SetAction(async (_, ct) =>
        {
            var port = Environment.GetEnvironmentVariable("PORT") is { Length: > 0 } p ? p : "8000";
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            try
            {
                using var response = await client.GetAsync($"http://127.0.0.1:{port}/health", ct);
                return response.IsSuccessStatusCode ? 0 : 1;
            }
            catch (HttpRequestException)
            {
                return 1;
            }
            catch (TaskCanceledException)
            {
                return 1;
            }
        });
        return command;
    }
}
