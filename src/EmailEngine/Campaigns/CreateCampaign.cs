using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Campaigns;

public sealed record CreateCampaignRequest(
    string? Name, long? TemplateId, string? Type, string? Trigger, string? Tenant, DelayRequest? Delay, DateTimeOffset? SendAt,
    string? Subject, string? FromName, string? FromEmail, string? ReplyTo, bool? IsWelcome);

public static class CreateCampaign
{
    public static async Task<IResult> Handle(CreateCampaignRequest request, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, OutboxWriter outbox, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (string.IsNullOrWhiteSpace(request.Name))
            errors.Add("name", "required");
        else if (request.Name.Trim().Length > 190)
            errors.Add("name", "must be at most 190 characters");
        if (request.TemplateId is null)
            errors.Add("template_id", "required");
        var type = request.Type is null ? CampaignType.Autoresponder : CampaignRules.ParseType(request.Type);
        if (type is null)
            errors.Add("type", "must be 'autoresponder' or 'regular'");
        if (type == CampaignType.Autoresponder && request.Trigger is not null && request.Trigger.Trim().ToLowerInvariant() != "subscription")
            errors.Add("trigger", "autoresponders support trigger 'subscription' (MailWizz AFTER-SUBSCRIBE)");
        if (type == CampaignType.Regular)
        {
            if (request.Trigger is not null)
                errors.Add("trigger", "a regular campaign has no trigger; it is sent at send_at");
            if (request.SendAt is null)
                errors.Add("send_at", "required for a regular campaign (ISO 8601, e.g. 2026-12-01T09:00:00Z)");
            else if (request.SendAt < clock.GetUtcNow())
                errors.Add("send_at", "must be in the future");
        }
        CampaignRules.CheckDelay(errors, request.Delay);
        CampaignRules.CheckSender(errors, request.FromName, request.FromEmail, request.ReplyTo, request.Subject);
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var tenant = await tenants.ForWriteAsync(user, request.Tenant, ct);
        if (!tenant.IsSuccess)
            return tenant.Error!.ToProblem();
        if (!await db.Set<EmailTemplate>().AnyAsync(t => t.Id == request.TemplateId && t.TenantId == tenant.Value!.Id, ct))
            return Failure.Field("template_id", $"template {request.TemplateId} does not exist for tenant '{tenant.Value!.Slug}'", 422).ToProblem();

        var campaign = new Campaign
        {
            TenantId = tenant.Value!.Id, Tenant = tenant.Value, Name = request.Name!.Trim(), TemplateId = request.TemplateId!.Value,
            Type = type!.Value, DelayValue = request.Delay?.Value ?? 0, DelayUnit = request.Delay?.Unit?.Trim().ToLowerInvariant() ?? "minute",
            SendAt = request.SendAt?.ToUniversalTime(), Subject = request.Subject?.Trim(), FromName = request.FromName?.Trim(),
            FromEmail = request.FromEmail?.Trim(), ReplyTo = request.ReplyTo?.Trim(), IsWelcome = request.IsWelcome ?? false,
            CreatedAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(),
        };
        var created = await CreateAsync(db, outbox, campaign, ct);
        return created.ToHttp(c => TypedResults.Created($"/api/v2/campaigns/{c.Id}", CampaignResponse.From(c)));
    }

    /// <summary>Stores the campaign and queues its push in one transaction (also used by the contact workflow).</summary>
    public static async Task<Result<Campaign>> CreateAsync(AppDbContext db, OutboxWriter outbox, Campaign campaign, CancellationToken ct)
    {
        if (await db.Set<Campaign>().AnyAsync(c => c.TenantId == campaign.TenantId && c.Name == campaign.Name, ct))
            return Duplicate(campaign.Name);
        db.Add(campaign);
        try
        {
            await outbox.SaveWithPushAsync(token => CampaignSync.EnqueueAsync(outbox, campaign, token), ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (await db.Set<Campaign>().AnyAsync(c => c.TenantId == campaign.TenantId && c.Name == campaign.Name, ct))
                return Duplicate(campaign.Name);
            throw;
        }
        return campaign;
    }

    private static Failure Duplicate(string name) => new Failure.Conflict($"A campaign named '{name}' already exists for this tenant.",
        new Dictionary<string, string[]> { ["name"] = [$"'{name}' is already used by another campaign of this tenant"] });
}
