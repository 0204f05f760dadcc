using EmailEngine.Outbox;

namespace EmailEngine.Campaigns;

public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/campaigns").WithTags("Campaigns");
        group.MapPost("/", CreateCampaign.Handle).WithName("CreateCampaign");
        group.MapGet("/", ListCampaigns.Handle).WithName("ListCampaigns");
        group.MapGet("/{id:long}", ListCampaigns.GetOne).WithName("GetCampaign");
        group.MapPut("/{id:long}", UpdateCampaign.Handle).WithName("ReplaceCampaign");
        group.MapPatch("/{id:long}", UpdateCampaign.Handle).WithName("UpdateCampaign");
        group.MapDelete("/{id:long}", UpdateCampaign.Delete).WithName("DeleteCampaign");
        group.MapPost("/{id:long}/pause", UpdateCampaign.Pause).WithName("PauseCampaign");
        group.MapPost("/{id:long}/resume", UpdateCampaign.Resume).WithName("ResumeCampaign");
        group.MapPost("/{id:long}/sync", UpdateCampaign.Resync).WithName("ResyncCampaign");
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
