using EmailEngine.Auth;
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

public static class AlertEndpoints
{
    /// <summary>Alerts name IPs, hosts and every tenant's trouble: operator key only.</summary>
    public static IEndpointRouteBuilder MapAlertEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/alerts").WithTags("Alerts").RequireOperator();
        group.MapGet("/", List).WithName("ListAlerts").Produces<AlertListResponse>().ProducesValidationProblem();
        return app;
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
