using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.AspNetCore.Mvc;

namespace EmailEngine.WebConsole.Pages.Templates;

/// <summary>A template rendered with sample data; the rendering is framed from its own sandboxed answer.</summary>
public sealed class IndexModel(AppDbContext db, TenantScope tenants, OutboxWriter outbox, TimeProvider clock) : ConsolePage
{
    public TemplateResponse Template { get; private set; } = null!;
    public PreviewResponse Preview { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        if (ApiOutcome.Value<TemplateResponse>(await GetTemplate.Handle(id, User, tenants, db, ct)) is not { } template)
            return NotFound();
        Template = template;
        Preview = ApiOutcome.Expect<PreviewResponse>(await PreviewTemplate.Handle(id, null, User, tenants, db, ct));
        return Page();
    }

    public async Task<IActionResult> OnPostUpdateAsync(long id, string? name, string? subject, string? language, string? html, CancellationToken ct) =>
        AfterAction(await UpdateTemplate.Handle(id, new UpdateTemplateRequest(name, subject, html, language), User, tenants, db, outbox, clock, ct),
            Text["done.saved"]);

    /// <summary>The rendered HTML alone, for the preview frame: no script runs and nothing is fetched from elsewhere.</summary>
    public async Task<IActionResult> OnGetRenderAsync(long id, CancellationToken ct)
    {
        if (ApiOutcome.Value<PreviewResponse>(await PreviewTemplate.Handle(id, null, User, tenants, db, ct)) is not { } preview)
            return NotFound();
        Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'";
        return Content(preview.Html, "text/html; charset=utf-8");
    }
}
