using EmailEngine.Http;
using EmailEngine.Outbox;

namespace EmailEngine.Campaigns;

public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/campaigns").WithTags("Campaigns");
        // 404 on a create or list: a tenant key naming another tenant; 422: a template_id the tenant does not have.
        group.MapPost("/", CreateCampaign.Handle).WithName("CreateCampaign")
            .Produces<CampaignResponse>(201).ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409)
            .ProducesValidationProblem(422);
        group.MapGet("/", ListCampaigns.Handle).WithName("ListCampaigns")
            .Produces<ItemList<CampaignResponse>>().ProducesProblem(404);
        group.MapGet("/{id:long}", ListCampaigns.GetOne).WithName("GetCampaign")
            .Produces<CampaignResponse>().ProducesProblem(404);
        group.MapPut("/{id:long}", UpdateCampaign.Handle).WithName("ReplaceCampaign")
            .Produces<CampaignResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409)
            .ProducesValidationProblem(422);
        group.MapPatch("/{id:long}", UpdateCampaign.Handle).WithName("UpdateCampaign")
            .Produces<CampaignResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409)
            .ProducesValidationProblem(422);
        group.MapDelete("/{id:long}", UpdateCampaign.Delete).WithName("DeleteCampaign")
            .Produces(204).ProducesProblem(404);
        group.MapPost("/{id:long}/pause", UpdateCampaign.Pause).WithName("PauseCampaign")
            .Produces<CampaignResponse>().ProducesProblem(404);
        group.MapPost("/{id:long}/resume", UpdateCampaign.Resume).WithName("ResumeCampaign")
            .Produces<CampaignResponse>().ProducesProblem(404);
        group.MapPost("/{id:long}/sync", UpdateCampaign.Resync).WithName("ResyncCampaign")
            .Produces<CampaignResponse>(202).ProducesProblem(404);
        return app;
    }
}

public sealed record DelayResponse(int Value, string Unit);

public sealed record CampaignResponse(
    long Id, string Tenant, string Name, long TemplateId, string Type, string? Trigger, DelayResponse Delay, DateTimeOffset? SendAt,
    string? Subject, string? FromName, string? FromEmail, string? ReplyTo, string Status, bool IsWelcome, SyncResponse Sync,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static CampaignResponse From(Campaign c) => new(
        c.Id, c.Tenant.Slug, c.Name, c.TemplateId, c.Type.ToString().ToLowerInvariant(),
        c.Type == CampaignType.Autoresponder ? "subscription" : null, new DelayResponse(c.DelayValue, c.DelayUnit), c.SendAt,
        c.Subject, c.FromName, c.FromEmail, c.ReplyTo, c.Paused ? "paused" : "active", c.IsWelcome, SyncResponse.From(c.Sync),
        c.CreatedAt, c.UpdatedAt);
}
