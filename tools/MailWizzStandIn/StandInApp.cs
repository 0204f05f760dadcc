using System.Text.Json;

namespace MailWizzStandIn;

/// <summary>
/// A MailWizz 2.x customer API stand-in for tests and demos: same paths, form bodies, envelopes and status codes as
/// the reference, in-memory state, autoresponders that fire on subscription, inspection and fault injection.
/// </summary>
public static class StandInApp
{
    public const string DefaultUrl = "http://127.0.0.1:8090";

    /// <summary>Builds the app from command-line arguments and environment (see <see cref="StandInOptions"/>).</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // ASP.NET Core's own precedence: --urls, then ASPNETCORE_URLS (or *_HTTP_PORTS); PORT only when none is given.
        if (new[] { "urls", "http_ports", "https_ports" }.All(key => string.IsNullOrEmpty(builder.Configuration[key])))
            builder.WebHost.UseUrls(builder.Configuration["PORT"] is { Length: > 0 } port ? $"http://127.0.0.1:{port}" : DefaultUrl);
        var options = StandInOptions.From(builder.Configuration);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.PropertyNamingPolicy = null);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(SimulationClock.ScaledTimeProvider.FromEnvironment());
        builder.Services.AddSingleton<StandInState>();
        builder.Services.AddSingleton<StateStore>();
        builder.Services.AddSingleton<Faults>();
        builder.Services.AddSingleton<Autoresponder>();
        builder.Services.AddSingleton<ServerQuotaTable>();
        builder.Services.AddSingleton<Mailer>();
        // A bulk call carries up to 10,000 subscribers of a few fields each, form-encoded: far past ASP.NET's default of
        // 1,024 form values (MailWizz's PHP needs max_input_vars raised likewise).
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(form => form.ValueCountLimit = 200_000);
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Mailer>());
        var app = builder.Build();
        var state = app.Services.GetRequiredService<StandInState>();
        var store = app.Services.GetRequiredService<StateStore>();
        lock (state.Gate)
            store.Load(state);

        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api"))
            {
                await next(context);
                return;
            }
            var state = context.RequestServices.GetRequiredService<StandInState>();
            await ApplyFaultsAsync(context, context.RequestServices.GetRequiredService<Faults>(), next);
            lock (state.Gate)
                state.Requests.Add(new LoggedRequest(DateTime.UtcNow, context.Request.Method, context.Request.Path + context.Request.QueryString, context.Response.StatusCode));
        });

        var api = app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            var request = context.HttpContext.Request;
            var key = request.Headers["X-API-KEY"].ToString() is { Length: > 0 } k ? k : request.Headers["X-MW-PUBLIC-KEY"].ToString();
            if (key.Length == 0)
                return MwJson.Error(400, "Invalid API request params. Please refer to the documentation.");
            if (key != options.ApiKey)
                return MwJson.Error(400, "Invalid API key. Please refer to the documentation.");
            var result = await next(context);
            if (!HttpMethods.IsGet(request.Method))
            {
                // Persisted before the client hears of it, like MailWizz's database write: a 201 is never forgotten.
                lock (state.Gate)
                    store.Save(state);
                context.HttpContext.RequestServices.GetRequiredService<Mailer>().Wake();
            }
            return result;
        });
        ListEndpoints.Map(api);
        SubscriberEndpoints.Map(api);
        TemplateEndpoints.Map(api);
        CampaignEndpoints.Map(api);
        MapInspection(app);
        return app;
    }

    private static async Task ApplyFaultsAsync(HttpContext context, Faults faults, RequestDelegate next)
    {
        if (faults.LatencyMs > 0)
            await Task.Delay(faults.LatencyMs);
        if (DateTime.UtcNow < faults.DownUntil)
        {
            await MwJson.Error(503, "Service Unavailable.").ExecuteAsync(context);
            return;
        }
        if (HttpMethods.IsGet(context.Request.Method) && faults.TakeFailedRead())
        {
            await MwJson.Error(503, "Service Unavailable.").ExecuteAsync(context);
            return;
        }
        if (faults.TakeThrottled() || faults.ThrottleRate > 0 && Random.Shared.NextDouble() < faults.ThrottleRate)
        {
            context.Response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString();
            await MwJson.Error(429, "Too Many Requests.").ExecuteAsync(context);
            return;
        }
        if (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate)
        {
            // Half the injected errors happen after the work is done: the client sees a failure for a request that took effect.
            if (Random.Shared.Next(2) == 0)
            {
                await MwJson.Error(500, "Internal Server Error.").ExecuteAsync(context);
                return;
            }
            var original = context.Response.Body;
            context.Response.Body = Stream.Null;
            await next(context);
            context.Response.Body = original;
            context.Response.Clear();
            await MwJson.Error(502, "Bad Gateway.").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static void MapInspection(WebApplication app)
    {
        var inspect = app.MapGroup("/_standin");
        // Serialized under the lock: the mailer changes messages while they are with the server.
        inspect.MapGet("/messages", (StandInState s) =>
        {
            lock (s.Gate)
                return Results.Text(JsonSerializer.Serialize(s.Outbox.Messages.Where(m => m.MessageId is not null).OrderBy(m => m.DueAt)), "application/json");
        });
        inspect.MapGet("/outbox", (StandInState s, StandInOptions options, TimeProvider clock) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            lock (s.Gate)
                return Results.Json(new
                {
                    now,
                    scheduled = s.Outbox.Messages.Count(m => m.State == MessageState.Queued && m.DueAt > now),
                    queued = s.Outbox.Messages.Count(m => m.State == MessageState.Queued && m.DueAt <= now),
                    sending = s.Outbox.Messages.Count(m => m.State == MessageState.Sending),
                    sent = s.Outbox.Messages.Count(m => m.State == MessageState.Sent),
                    failed = s.Outbox.Messages.Count(m => m.State == MessageState.Failed),
                    skipped = s.Outbox.Messages.Count(m => m.State == MessageState.Skipped),
                    in_doubt = s.Outbox.Messages.Count(m => m.InDoubt),
                    delivery_servers = options.DeliveryServers.Select(d => new
                    {
                        name = d.Name, type = d.Type, hostname = d.Hostname, port = d.Port, hourly_quota = d.HourlyQuota, daily_quota = d.DailyQuota,
                        used_this_hour = s.Outbox.UsedInHour(d.Name, now), used_today = s.Outbox.UsedInDay(d.Name, now),
                        additional_headers = d.AdditionalHeaders,
                    }).ToList(),
                });
        });
        inspect.MapGet("/requests", (StandInState s) => { lock (s.Gate) return Results.Json(s.Requests.ToList()); });
        inspect.MapGet("/state", (StandInState s) =>
        {
            // A snapshot taken under the lock: the response is serialized after the lock is released, while pushes
            // keep changing the state, so nothing lazy or shared may escape.
            lock (s.Gate)
                return Results.Json(new
                {
                    lists = s.Lists.Select(l => new
                    {
                        uid = l.Uid, name = l.Name, values = new Dictionary<string, string>(l.Values), fields = l.Fields.Select(f => f.Tag).ToList(),
                        subscribers = l.Subscribers.Select(x => new { uid = x.Uid, email = x.Email, status = x.Status, fields = new Dictionary<string, string>(x.Fields) }).ToList(),
                    }).ToList(),
                    templates = s.Templates.Select(t => new { uid = t.Uid, name = t.Name, content = t.Content }).ToList(),
                    campaigns = s.Campaigns.Select(c => new
                    {
                        uid = c.Uid, name = c.V("name"), type = c.V("type"), status = c.Status, list_uid = c.ListUid, template_uid = c.TemplateUid,
                        values = new Dictionary<string, string>(c.Values),
                    }).ToList(),
                    outbox = s.Outbox.Messages.Count,
                });
        });
        inspect.MapPost("/reset", (StandInState s, StateStore store, Faults f) =>
        {
            s.Reset();
            lock (s.Gate)
                store.Save(s);
            f.ErrorRate = 0; f.LatencyMs = 0; f.DownUntil = DateTime.MinValue; f.ThrottleRate = 0; f.ThrottleNext = 0; f.FailNextReads = 0;
            return Results.Ok();
        });
        inspect.MapPost("/faults", async (HttpRequest request, Faults f) =>
        {
            var body = await JsonSerializer.DeserializeAsync<FaultsRequest>(request.Body, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
            f.ErrorRate = body?.ErrorRate ?? f.ErrorRate;
            f.LatencyMs = body?.LatencyMs ?? f.LatencyMs;
            f.ThrottleRate = body?.ThrottleRate ?? f.ThrottleRate;
            f.RetryAfterSeconds = body?.RetryAfterSeconds ?? f.RetryAfterSeconds;
            lock (f)
            {
                f.ThrottleNext = body?.ThrottleNext ?? f.ThrottleNext;
                f.FailNextReads = body?.FailNextReads ?? f.FailNextReads;
            }
            if (body?.DownForSeconds is { } down)
                f.DownUntil = DateTime.UtcNow.AddSeconds(down);
            return Results.Ok(new { f.ErrorRate, f.LatencyMs, f.ThrottleRate, f.ThrottleNext, f.FailNextReads, down_until = f.DownUntil });
        });
    }
}
