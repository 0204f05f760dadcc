using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Outbox;

public sealed record OutboxMessageResponse(long Id, string Kind, string ResourceKey, long? TenantId, string Status, int Attempts,
    DateTimeOffset NextAttemptAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? ProcessedAt)
{
    public static OutboxMessageResponse From(OutboxMessage m) => new(m.Id, m.Kind, m.ResourceKey, m.TenantId,
        m.Status.ToString().ToLowerInvariant(), m.Attempts, m.NextAttemptAt, m.LastError, m.CreatedAt, m.ProcessedAt);
}

public sealed record OutboxListResponse(IReadOnlyDictionary<string, int> Counts, IEnumerable<OutboxMessageResponse> Items);

public sealed record RequeuedResponse(int Requeued);

/// <summary>Operator view of the push queue: what is waiting, what failed and why, and a retry.</summary>
public static class OutboxEndpoints
{
    public static IEndpointRouteBuilder MapOutboxEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/outbox").WithTags("Outbox").RequireOperator();
        group.MapGet("/", ListMessages).WithName("ListOutboxMessages")
            .Produces<OutboxListResponse>().ProducesValidationProblem();
        group.MapPost("/{id:long}/retry", RetryMessage).WithName("RetryOutboxMessage")
            .Produces<OutboxMessageResponse>().ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/retry-failed", RetryFailed).WithName("RetryFailedOutboxMessages")
            .Produces<RequeuedResponse>();
        return app;
    }

    public static async Task<IResult> ListMessages(string? status, AppDbContext db, CancellationToken ct)
    {
        var query = db.Set<OutboxMessage>().AsNoTracking();
        if (status is not null)
        {
            if (!Enum.TryParse<OutboxStatus>(status, true, out var wanted))
                return Failure.Field("status", "must be one of pending, processing, done, failed").ToProblem();
            query = query.Where(m => m.Status == wanted);
        }
        var counts = await db.Set<OutboxMessage>().GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var items = await query.OrderByDescending(m => m.Id).Take(200).ToListAsync(ct);
        return TypedResults.Ok(new OutboxListResponse(counts.ToDictionary(c => c.Key.ToString().ToLowerInvariant(), c => c.Count),
            items.Select(OutboxMessageResponse.From)));
    }

    public static async Task<IResult> RetryMessage(long id, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var message = await db.Set<OutboxMessage>().SingleOrDefaultAsync(m => m.Id == id, ct);
        if (message is null)
            return new Failure.NotFound($"Outbox message {id} does not exist.").ToProblem();
        if (message.Status != OutboxStatus.Failed)
            return new Failure.Conflict($"Message {id} is {message.Status.ToString().ToLowerInvariant()}; only failed messages are retried.").ToProblem();
        Requeue(message, clock);
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(OutboxMessageResponse.From(message));
    }

    public static async Task<IResult> RetryFailed(AppDbContext db, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(new RequeuedResponse(await RequeueFailedAsync(db, clock, ct)));

    public static async Task<int> RequeueFailedAsync(AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var failed = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Failed).ToListAsync(ct);
        failed.ForEach(m => Requeue(m, clock));
        await db.SaveChangesAsync(ct);
        return failed.Count;
    }

    public static void Requeue(OutboxMessage message, TimeProvider clock)
    {
        message.Status = OutboxStatus.Pending;
        message.Attempts = 0;
        message.NextAttemptAt = clock.GetUtcNow();
        message.ProcessedAt = null;
    }
}
