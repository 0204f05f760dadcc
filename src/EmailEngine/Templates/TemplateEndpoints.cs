using EmailEngine.Http;
using EmailEngine.Outbox;

namespace EmailEngine.Templates;

public static class TemplateEndpoints
{
    public static IEndpointRouteBuilder MapTemplateEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v2/templates").WithTags("Templates");
        // 404 on a create or list: a tenant key naming another tenant.
        group.MapPost("/", CreateTemplate.Handle).WithName("CreateTemplate")
            .Produces<TemplateResponse>(201).ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409);
        group.MapGet("/", ListTemplates.Handle).WithName("ListTemplates")
            .Produces<ItemList<TemplateResponse>>().ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/{id:long}", GetTemplate.Handle).WithName("GetTemplate")
            .Produces<TemplateResponse>().ProducesProblem(404);
        group.MapPut("/{id:long}", UpdateTemplate.Handle).WithName("ReplaceTemplate")
            .Produces<TemplateResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409);
        group.MapPatch("/{id:long}", UpdateTemplate.Handle).WithName("UpdateTemplate")
            .Produces<TemplateResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesValidationProblem(409);
        group.MapDelete("/{id:long}", DeleteTemplate.Handle).WithName("DeleteTemplate")
            .Produces(204).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/{id:long}/preview", PreviewTemplate.Handle).WithName("PreviewTemplate")
            .Produces<PreviewResponse>().ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/{id:long}/sync", GetTemplate.Resync).WithName("ResyncTemplate")
            .Produces<TemplateResponse>(202).ProducesProblem(404);
        return app;
    }
}

public sealed record TemplateResponse(
    long Id, string Tenant, string Name, string Subject, string Html, string Language,
    IReadOnlyList<string> MergeTags, IReadOnlyList<string> Warnings, SyncResponse Sync,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TemplateResponse From(EmailTemplate t, string tenantSlug)
    {
        var tags = Templates.MergeTags.Find(t.Subject, t.Html);
        var warnings = tags.Any(Templates.MergeTags.UnsubscribeTags.Contains)
            ? Array.Empty<string>()
            : ["No unsubscribe link: bulk mail must carry one (add [UNSUBSCRIBE_URL]); Gmail and Yahoo require it for bulk senders."];
        return new(t.Id, tenantSlug, t.Name, t.Subject, t.Html, t.Language, tags, warnings, SyncResponse.From(t.Sync), t.CreatedAt, t.UpdatedAt);
    }
}
