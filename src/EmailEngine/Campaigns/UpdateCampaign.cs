using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Campaigns;

public sealed record UpdateCampaignRequest(
    string? Name, long? TemplateId, DelayRequest? Delay, DateTimeOffset? SendAt, string? Subject, string? FromName,
    string? FromEmail, string? ReplyTo);

public static class UpdateCampaign
{
    public static async Task<IResult> Handle(long id, UpdateCampaignRequest request, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, OutboxWriter outbox, TimeProvider clock, CancellationToken ct)
    {
        var found = await ListCampaigns.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        var campaign = found.Value!;
        var errors = new FieldErrors();
        if (request.Name is { } n && (n.Trim().Length is 0 or > 190))
            errors.Add("name", "must be 1-190 characters");
        CampaignRules.CheckDelay(errors, request.Delay);
        CampaignRules.CheckSender(errors, request.FromName, request.FromEmail, request.ReplyTo, request.Subject);
        if (request.SendAt is not null && campaign.Type != CampaignType.Regular)
            errors.Add("send_at", "only a regular campaign has a send time");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        if (request.TemplateId is { } templateId
            && !await db.Set<EmailTemplate>().AnyAsync(t => t.Id == templateId && t.TenantId == campaign.TenantId, ct))
            return Failure.Field("template_id", $"template {templateId} does not exist for this tenant", 422).ToProblem();
        if (request.Name?.Trim() is { } name && name != campaign.Name
            && await db.Set<Campaign>().AnyAsync(c => c.TenantId == campaign.TenantId && c.Name == name, ct))
            return Failure.Field("name", $"'{name}' is already used by another campaign of this tenant", 409).ToProblem();

        campaign.Name = request.Name?.Trim() ?? campaign.Name;
        campaign.TemplateId = request.TemplateId ?? campaign.TemplateId;
        campaign.DelayValue = request.Delay?.Value ?? campaign.DelayValue;
        campaign.DelayUnit = request.Delay?.Unit?.Trim().ToLowerInvariant() ?? campaign.DelayUnit;
        campaign.SendAt = request.SendAt?.ToUniversalTime() ?? campaign.SendAt;
        campaign.Subject = request.Subject?.Trim() ?? campaign.Subject;
        campaign.FromName = request.FromName?.Trim() ?? campaign.FromName;
        campaign.FromEmail = request.FromEmail?.Trim() ?? campaign.FromEmail;
        campaign.ReplyTo = request.ReplyTo?.Trim() ?? campaign.ReplyTo;
        return await SaveAsync(campaign, db, outbox, clock, ct, TypedResults.Ok);
    }

    public static Task<IResult> Pause(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, OutboxWriter outbox,
        TimeProvider clock, CancellationToken ct) => SetPausedAsync(id, true, user, tenants, db, outbox, clock, ct);

    public static Task<IResult> Resume(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, OutboxWriter outbox,
        TimeProvider clock, CancellationToken ct) => SetPausedAsync(id, false, user, tenants, db, outbox, clock, ct);

    public static async Task<IResult> Resync(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, OutboxWriter outbox,
        TimeProvider clock, CancellationToken ct)
    {
        var found = await ListCampaigns.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        await CampaignSync.RequeueAsync(outbox, found.Value!, ct);
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/v2/campaigns/{id}", CampaignResponse.From(found.Value!));
    }

    public static async Task<IResult> Delete(long id, ClaimsPrincipal user, TenantScope tenants, AppDbContext db, OutboxWriter outbox,
        ICampaignReferences references, CancellationToken ct)
    {
        var found = await ListCampaigns.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        await CampaignSync.EnqueueDeleteAsync(outbox, found.Value!, found.Value!.Tenant.Slug, ct);
        db.Remove(found.Value);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await references.ClearAsync(found.Value!.TenantId, id, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SetPausedAsync(long id, bool paused, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, OutboxWriter outbox, TimeProvider clock, CancellationToken ct)
    {
        var found = await ListCampaigns.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        found.Value!.Paused = paused;
        return await SaveAsync(found.Value, db, outbox, clock, ct, TypedResults.Ok);
    }

    private static async Task<IResult> SaveAsync(Campaign campaign, AppDbContext db, OutboxWriter outbox, TimeProvider clock,
        CancellationToken ct, Func<CampaignResponse, IResult> respond)
    {
        if (db.ChangeTracker.HasChanges())
        {
            campaign.UpdatedAt = clock.GetUtcNow();
            await CampaignSync.RequeueAsync(outbox, campaign, ct);
            await db.SaveChangesAsync(ct);
        }
        return respond(CampaignResponse.From(campaign));
    }
}
