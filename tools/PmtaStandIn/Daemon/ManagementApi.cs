using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PmtaStandIn.Daemon;

/// <summary>
/// The HTTP management port (reference §3.2): `/status` and `/queues` in their JSON shapes, and the command API
/// `POST /command` (multipart field `command`) for `reload`, `show status`, `pause queue`, `resume queue`.
/// `POST /cli` (form field `verb`) runs a `pmta` verb for the daemon's own config and state, so a thin client need not
/// start a runtime per call: 200 with what the verb printed, or 422 with its error (exit code 1).
/// </summary>
public static class ManagementApi
{
    public static WebApplication Create(Mta mta, int port, CliContext cli)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/status", () => Results.Json(new { data = Status(mta), status = "success" }));
        app.MapGet("/queues", () => Results.Json(new
        {
            data = new
            {
                queues = mta.Queues().Select(q => new
                {
                    name = q.Name, domain = q.Domain, vmta = q.Vmta, rcp = q.Rcp, kb = q.Kb, mode = q.Mode, paused = q.Paused, conn = q.Connections,
                }),
            },
            status = "success",
        }));
        app.MapPost("/command", async (HttpRequest request) =>
        {
            var command = request.HasFormContentType ? (await request.ReadFormAsync()).TryGetValue("command", out var c) ? c.ToString() : "" : "";
            return Command(mta, command.Trim());
        }).DisableAntiforgery();
        app.MapPost("/cli", async (HttpRequest request) =>
        {
            var verb = request.HasFormContentType && (await request.ReadFormAsync()).TryGetValue("verb", out var v) ? v.ToString().Trim() : "";
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var exit = await CommandLine.RunAsync(verb, cli.Config, cli.StateDir, stdout, stderr);
            return exit == 0 ? Results.Text(stdout.ToString()) : Results.Text(stderr.ToString(), statusCode: StatusCodes.Status422UnprocessableEntity);
        }).DisableAntiforgery();
        return app;
    }

    private static IResult Command(Mta mta, string command)
    {
        var words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        switch (words)
        {
            case ["reload"]:
                try
                {
                    mta.Reload();
                    return Results.Json(new { status = "success", message = "Configuration reloaded." });
                }
                catch (ConfigException e)
                {
                    return Results.Json(new { status = "error", message = $"{e.Message}\nConfiguration not reloaded; the previous configuration is still in use" }, statusCode: 400);
                }
            case ["show", "status"]:
                return Results.Json(new { data = Status(mta), status = "success", message = StatusText(mta) });
            case [var verb and ("pause" or "resume"), "queue", var pattern]:
                var count = mta.SetPaused(pattern, verb == "pause");
                return Results.Json(new { status = "success", message = $"{count} queue(s) {verb}d." });
            default:
                return Results.Json(new { status = "error", message = $"unknown command '{command}'" }, statusCode: 400);
        }
    }

    public static string StatusText(Mta mta)
    {
        var queues = mta.Queues();
        return $"PowerMTA v5.0r1 (stand-in), status: running\nqueued: {queues.Sum(q => q.Rcp)} recipients in {queues.Count(q => q.Rcp > 0)} queues; delivered: {mta.Out.Total.Rcp}";
    }

    private static object Status(Mta mta)
    {
        var now = mta.Now;
        var queues = mta.Queues();
        object Traffic(Func<TrafficMeter, (long Rcp, long Msg, long Kb)> pick) => new
        {
            @out = Count(pick(mta.Out)), @in = Count(pick(mta.In)), bounceProcessed = 0, feedbackLoopProcessed = 0,
        };
        return new
        {
            mta = new
            {
                product = new { name = "PowerMTA", version = "5.0r1 (stand-in)", buildDate = "", revision = "stand-in", bits = 64 },
                lak = "", os = Environment.OSVersion.ToString(), cpu = Environment.ProcessorCount, ram = 0,
                fullHostName = mta.Config.HostName, userString = "", hostId = "",
            },
            status = new
            {
                timeNow = now.ToString("O"), startupTime = mta.StartupTime.ToString("O"), shuttingDown = false,
                traffic = new
                {
                    total = Traffic(m => m.Total),
                    lastHr = Traffic(m => m.Since(now - TimeSpan.FromHours(1))),
                    lastMin = Traffic(m => m.Since(now - TimeSpan.FromMinutes(1))),
                    topPerHr = Traffic(m => m.TopPerHour),
                    topPerMin = Traffic(m => m.TopPerMinute),
                    // In the reference's shape without its fields: nothing of the stand-in's would fill them.
                    perf = new { },
                },
                conn = new { smtpIn = new { cur = 0, max = 0, top = 0 }, smtpOut = new { cur = mta.OpenDeliveries, max = 0, top = 0 } },
                resolver = new { namesCached = 0, queriesPending = 0, queriesActive = 0 },
                queue = new
                {
                    smtp = new { rcp = queues.Sum(q => q.Rcp), dom = queues.Count(q => q.Rcp > 0), kb = queues.Sum(q => q.Kb) },
                    pipe = new { rcp = 0, dom = 0, kb = 0 },
                    discard = new { rcp = 0, dom = 0, kb = 0 },
                },
            },
        };
    }

    private static object Count((long Rcp, long Msg, long Kb) c) => new { rcp = c.Rcp, msg = c.Msg, kb = c.Kb };
}

/// <summary>The config and state directory the daemon runs with: what its `pmta` verbs act on.</summary>
public sealed record CliContext(string Config, string StateDir);
