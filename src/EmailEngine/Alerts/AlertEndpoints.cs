using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Alerts;

public sealed record NotificationResponse(string Kind, DateTimeOffset CreatedAt, DateTimeOffset? SentAt, int Attempts, IReadOnlyList<string> DeliveredTo, string? LastError);

public sealed record AlertResponse(long Id, string Key, string Severity, string State, string Title, string Body, DateTimeOffset OpenedAt,
    DateTimeOffset LastSeenAt, DateTimeOffset? ResolvedAt, int Occurrences, IReadOnlyList<NotificationResponse> Notifications)
{
    public static AlertResponse From(Alert a) => new(a.Id, a.Key, a.Severity.ToString().ToLowerInvariant(), a.State.ToString().ToLowerInvariant(), a.Title,
        a.Body, a.OpenedAt, a.LastSeenAt, a.ResolvedAt, a.Occurrences, a.Notifications.OrderBy(n => n.Id).Select(n => new NotificationResponse(
            n.Kind.ToString().ToLowerInvariant(), n.CreatedAt, n.SentAt, n.Attempts,
            n.DeliveredTo.Split(',', StringSplitOptions.RemoveEmptyEntries), n.LastError)).ToList());
}

public sealed record AlertListResponse(IReadOnlyList<AlertResponse> Items);

public sealed record ChannelTestResult(string Channel, bool Ok, string? Error);

public sealed record AlertTestResponse(IReadOnlyList<ChannelTestResult> Channels);

public static class AlertEndpoints
{
    /// <summary>Alerts name IPs, hosts and every tenant's trouble: operator key only.</summary>
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireOperator();
        group.MapGet("/", List).WithName("ListAlerts").Produces<AlertListResponse>().ProducesValidationProblem();
        group.MapPost("/test", Test).WithName("TestAlertChannels").Produces<AlertTestResponse>().ProducesValidationProblem();
        return app;
    }

    /// <summary>Sends a test message to every configured channel now (or the one named) and says what each answered.</summary>
    private static async Task<IResult> Test(string? channel, string? severity, IEnumerable<IAlertChannel> channels, AlertChannelOptions options,
        TimeProvider clock, CancellationToken ct)
    {
        var level = AlertSeverity.Info;
        if (severity is not null && (!Enum.TryParse(severity, ignoreCase: true, out level) || !Enum.IsDefined(level)))
            return Failure.Field("severity", "must be info, warning or critical").ToProblem();
        var chosen = channels.Where(c => channel is null || c.Name == channel.Trim().ToLowerInvariant()).ToList();
        if (chosen.Count == 0)
            return Failure.Field("channel", options.Configured.Count == 0 ? "no alert channel is configured (ALERT_TELEGRAM_*, ALERT_WEBHOOK_*, ALERT_SMTP_*)"
                : $"must be one of {string.Join(", ", options.Configured)}").ToProblem();
        var message = new AlertMessage("test", level, NotificationKind.Raised, "Test alert from Email-Engine",
            "If you read this, alerts reach you on this channel.", clock.GetUtcNow());
        var results = new List<ChannelTestResult>();
        foreach (var target in chosen)
            results.Add(await target.TrySendAsync(message, ct) is { } e ? new(target.Name, false, e.Message) : new(target.Name, true, null));
        return TypedResults.Ok(new AlertTestResponse(results));
    }

    /// <summary>Newest first, at most 200; <c>state</c> = open, resolved or all (default).</summary>
    private static async Task<IResult> List(string? state, AppDbContext db, CancellationToken ct)
    {
        var query = db.Set<Alert>().Include(a => a.Notifications).AsQueryable();
        switch (state?.Trim().ToLowerInvariant())
        {
            case null or "" or "all":
                break;
            case "open":
                query = query.Where(a => a.State == AlertState.Open);
                break;
            case "resolved":
                query = query.Where(a => a.State == AlertState.Resolved);
                break;
            default:
                return Failure.Field("state", "must be open, resolved or all").ToProblem();
        }
        var alerts = await query.OrderByDescending(a => a.Id).Take(200).ToListAsync(ct);
        return TypedResults.Ok(new AlertListResponse(alerts.Select(AlertResponse.From).ToList()));
    }
}
