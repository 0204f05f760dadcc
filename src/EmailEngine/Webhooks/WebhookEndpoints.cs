using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Webhooks;

public sealed record CreateWebhookRequest(string? Url, List<string>? Events, string? Description, string? Tenant);

public sealed record UpdateWebhookRequest(string? Url, List<string>? Events, bool? Enabled, string? Description);

public sealed record WebhookResponse(long Id, string Tenant, string Url, IReadOnlyList<string> Events, bool Enabled, string? Description,
    string SecretPrefix, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookResponse From(Webhook w) =>
        new(w.Id, w.Tenant!.Slug, w.Url, w.EventList, w.Enabled, w.Description, w.SecretPrefix, w.CreatedAt, w.UpdatedAt);
}

/// <summary>The only response that carries the secret: creation and rotation.</summary>
public sealed record WebhookWithSecretResponse(WebhookResponse Webhook, string Secret, string Note);

public sealed record WebhookDeliveryResponse(Guid Id, Guid EventId, string EventType, string Status, int Attempts, int? LastResponseStatus,
    string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) => new(d.Id, d.EventId, d.EventType, d.Status.ToString().ToLowerInvariant(),
        d.Attempts, d.LastResponseStatus, d.LastError, d.CreatedAt, d.LastAttemptAt, d.DeliveredAt);
}

/// <summary>
/// <c>/api/v1/webhooks</c>: a tenant's receivers of bounce, complaint and suppression events. A tenant key manages its
/// own; the operator names the tenant. Another tenant's webhook answers 404.
/// </summary>
public static class WebhookEndpoints
{
    private const string SecretNote = "Shown once: store it now. Verify X-EE-Signature (t=…,v1=HMAC-SHA256(secret, \"{t}.{body}\")) on every request.";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        // Secrets are encrypted with the engine master key: without it (PostgreSQL, no DKIM_MASTER_KEY) creation answers 503.
        var group = app.MapGroup("/api/v1/webhooks").WithTags("Webhooks").AddEndpointFilter<EmailEngine.Dkim.DkimUnavailableFilter>();
        group.MapPost("/", Create).WithName("CreateWebhook")
            .Produces<WebhookWithSecretResponse>(201).ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/", List).WithName("ListWebhooks")
            .Produces<ItemList<WebhookResponse>>().ProducesProblem(404);
        group.MapGet("/{id:long}", Get).WithName("GetWebhook")
            .Produces<WebhookResponse>().ProducesProblem(404);
        group.MapPatch("/{id:long}", Update).WithName("UpdateWebhook")
            .Produces<WebhookResponse>().ProducesValidationProblem().ProducesProblem(404);
        group.MapDelete("/{id:long}", Delete).WithName("DeleteWebhook")
            .Produces(204).ProducesProblem(404);
        group.MapPost("/{id:long}/rotate-secret", RotateSecret).WithName("RotateWebhookSecret")
            .Produces<WebhookWithSecretResponse>().ProducesProblem(404);
        group.MapPost("/{id:long}/ping", Ping).WithName("PingWebhook")
            .Produces<WebhookDeliveryResponse>(202).ProducesProblem(404);
        group.MapGet("/{id:long}/deliveries", ListDeliveries).WithName("ListWebhookDeliveries")
            .Produces<ItemList<WebhookDeliveryResponse>>().ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/{id:long}/deliveries/{deliveryId:guid}/retry", RetryDelivery).WithName("RetryWebhookDelivery")
            .Produces<WebhookDeliveryResponse>(202).ProducesProblem(404).ProducesProblem(409);
        return app;
    }

    public static async Task<IResult> Create(CreateWebhookRequest request, ClaimsPrincipal user, TenantScope tenants, WebhookTargets targets,
        WebhookSecrets secrets, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = Check(targets, request.Url, request.Description, urlRequired: true);
        var events = ParseEvents(request.Events ?? [.. WebhookEventTypes.All], errors);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        secrets.EnsureAvailable();
        var tenant = await tenants.ForWriteAsync(user, request.Tenant, ct);
        if (!tenant.IsSuccess)
            return tenant.Error!.ToProblem();
        var secret = WebhookSecrets.Generate();
        var now = clock.GetUtcNow();
        var webhook = new Webhook
        {
            TenantId = tenant.Value!.Id, Tenant = tenant.Value, Url = request.Url!.Trim(), Events = events, Description = request.Description,
            EncryptedSecret = secrets.Protect(secret, tenant.Value.Id), SecretPrefix = WebhookSecrets.DisplayPrefix(secret),
            CreatedAt = now, UpdatedAt = now,
        };
        db.Add(webhook);
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/v1/webhooks/{webhook.Id}", new WebhookWithSecretResponse(WebhookResponse.From(webhook), secret, SecretNote));
    }

    public static async Task<IResult> List(string? tenant, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, CancellationToken ct)
    {
        var scope = await tenants.ForReadAsync(user, tenant, ct);
        if (!scope.IsSuccess)
            return scope.Error!.ToProblem();
        var items = await db.Set<Webhook>().AsNoTracking().Include(w => w.Tenant)
            .Where(w => scope.Value == null || w.TenantId == scope.Value).OrderBy(w => w.Id).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<WebhookResponse>(items.Select(WebhookResponse.From)));
    }

    public static async Task<IResult> Get(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct) =>
        await FindAsync(id, user, db, ct) is { } webhook ? TypedResults.Ok(WebhookResponse.From(webhook)) : NotFound(id);

    public static async Task<IResult> Update(long id, UpdateWebhookRequest request, ClaimsPrincipal user, WebhookTargets targets,
        AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var webhook = await FindAsync(id, user, db, ct);
        if (webhook is null)
            return NotFound(id);
        var errors = Check(targets, request.Url, request.Description, urlRequired: false);
        var events = request.Events is null ? webhook.Events : ParseEvents(request.Events, errors);
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        webhook.Url = request.Url?.Trim() ?? webhook.Url;
        webhook.Events = events;
        webhook.Enabled = request.Enabled ?? webhook.Enabled;
        webhook.Description = request.Description ?? webhook.Description;
        webhook.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(WebhookResponse.From(webhook));
    }

    public static async Task<IResult> Delete(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var webhook = await FindAsync(id, user, db, ct);
        if (webhook is null)
            return NotFound(id);
        db.Remove(webhook); // its deliveries go with it; queued messages then find nothing to send
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> RotateSecret(long id, ClaimsPrincipal user, WebhookSecrets secrets, AppDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        var webhook = await FindAsync(id, user, db, ct);
        if (webhook is null)
            return NotFound(id);
        var secret = WebhookSecrets.Generate();
        webhook.EncryptedSecret = secrets.Protect(secret, webhook.TenantId);
        webhook.SecretPrefix = WebhookSecrets.DisplayPrefix(secret);
        webhook.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(new WebhookWithSecretResponse(WebhookResponse.From(webhook), secret, SecretNote));
    }

    public static async Task<IResult> Ping(long id, ClaimsPrincipal user, WebhookPublisher publisher, AppDbContext db, CancellationToken ct)
    {
        var webhook = await FindAsync(id, user, db, ct);
        if (webhook is null)
            return NotFound(id);
        var delivery = publisher.Ping(webhook);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", WebhookDeliveryResponse.From(delivery));
    }

    public static async Task<IResult> ListDeliveries(long id, string? status, int? limit, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        if (await FindAsync(id, user, db, ct) is null)
            return NotFound(id);
        var query = db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.WebhookId == id);
        if (status is not null)
        {
            if (!Enum.TryParse<WebhookDeliveryStatus>(status, true, out var wanted) || int.TryParse(status, out _))
                return Failure.Field("status", "must be one of pending, delivered, failed").ToProblem();
            query = query.Where(d => d.Status == wanted);
        }
        if (limit is < 1 or > 500)
            return Failure.Field("limit", "must be from 1 to 500").ToProblem();
        var items = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(limit ?? 100).ToListAsync(ct);
        return TypedResults.Ok(new ItemList<WebhookDeliveryResponse>(items.Select(WebhookDeliveryResponse.From)));
    }

    public static async Task<IResult> RetryDelivery(long id, Guid deliveryId, ClaimsPrincipal user, AppDbContext db, TimeProvider clock,
        CancellationToken ct)
    {
        if (await FindAsync(id, user, db, ct) is null)
            return NotFound(id);
        var delivery = await db.Set<WebhookDelivery>().SingleOrDefaultAsync(d => d.Id == deliveryId && d.WebhookId == id, ct);
        if (delivery is null)
            return new Failure.NotFound($"Delivery {deliveryId} does not exist.").ToProblem();
        if (delivery.Status != WebhookDeliveryStatus.Failed)
            return new Failure.Conflict($"Delivery {deliveryId} is {delivery.Status.ToString().ToLowerInvariant()}; only failed deliveries are retried.").ToProblem();
        var key = WebhookPublisher.ResourceKey(delivery.Id);
        var message = await db.Set<OutboxMessage>().Where(m => m.ResourceKey == key).OrderByDescending(m => m.Id).FirstAsync(ct);
        OutboxEndpoints.Requeue(message, clock);
        delivery.Status = WebhookDeliveryStatus.Pending;
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", WebhookDeliveryResponse.From(delivery));
    }

    /// <summary>The checks creation and update share: the URL (an update may leave it out) and the description.</summary>
    private static FieldErrors Check(WebhookTargets targets, string? url, string? description, bool urlRequired)
    {
        var errors = new FieldErrors();
        if ((url is not null || urlRequired) && targets.Problem(url) is { } urlProblem)
            errors.Add("url", urlProblem);
        if (description is { Length: > 500 })
            errors.Add("description", "must be at most 500 characters");
        return errors;
    }

    private static string ParseEvents(List<string> requested, FieldErrors errors)
    {
        var wanted = requested.Select(e => e?.Trim().ToLowerInvariant() ?? "").ToHashSet();
        if (wanted.Count == 0)
            errors.Add("events", $"must name at least one of {string.Join(", ", WebhookEventTypes.All)}");
        foreach (var unknown in wanted.Where(e => !WebhookEventTypes.All.Contains(e)))
            errors.Add("events", $"'{unknown}' is not an event; expected {string.Join(", ", WebhookEventTypes.All)}");
        return string.Join(',', WebhookEventTypes.All.Where(wanted.Contains));
    }

    private static Task<Webhook?> FindAsync(long id, ClaimsPrincipal user, AppDbContext db, CancellationToken ct)
    {
        var caller = Caller.From(user);
        return db.Set<Webhook>().Include(w => w.Tenant).SingleOrDefaultAsync(w => w.Id == id && (caller.IsOperator || w.TenantId == caller.TenantId), ct);
    }

    private static IResult NotFound(long id) => new Failure.NotFound($"Webhook {id} does not exist.").ToProblem();
}
