using EmailEngine.Auth;
using EmailEngine.Campaigns;
using EmailEngine.Contacts;
using EmailEngine.Contacts.Import;
using EmailEngine.Data;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Hosting;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Suppressions;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using EmailEngine.Warmup;
using EmailEngine.Webhooks;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.WebConsole.Pages.Tenants;

public sealed record WebhookWithDeliveries(WebhookResponse Hook, IReadOnlyList<WebhookDeliveryResponse> Deliveries);

/// <summary>The sender form as typed: an emptied field clears the value (the API's <c>""</c>), it does not keep it.</summary>
public sealed class SenderForm
{
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string Name { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string DefaultLanguage { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string FromName { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string FromEmail { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string ReplyTo { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string CompanyName { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string CompanyAddress { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string CompanyCity { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string CompanyZip { get; set; } = "";
    [DisplayFormat(ConvertEmptyStringToNull = false)] public string CompanyCountry { get; set; } = "";

    public UpdateTenantRequest ToRequest() => new(Name, DefaultLanguage,
        new SenderRequest(FromName, FromEmail, ReplyTo, CompanyName, CompanyAddress, CompanyCity, CompanyZip, CompanyCountry));
}

/// <summary>
/// A tenant's business in one page: sender settings, API keys (operator), deliverability, templates, campaigns, contacts,
/// imports, suppressions and webhooks. Without a slug: the operator's list of tenants; a tenant key only ever sees its own.
/// </summary>
public sealed class IndexModel(AppDbContext db, EngineSettings settings, TenantScope tenants, ApiKeyService keys, OutboxWriter outbox,
    SuppressionService suppressions, DeliveryStatsQuery stats, WarmupOptions warmup, DatabaseTarget database, ImportRunner imports,
    WebhookTargets webhookTargets, WebhookSecrets webhookSecrets, TimeProvider clock) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Slug { get; set; }
    [BindProperty(SupportsGet = true)] public string? Email { get; set; }

    public IReadOnlyList<TenantResponse> All { get; private set; } = [];
    public TenantResponse Tenant { get; private set; } = null!;
    public IReadOnlyList<KeySummary> Keys { get; private set; } = [];
    public CreatedKey? NewKey { get; private set; }
    public WebhookWithSecretResponse? NewWebhook { get; private set; }
    public DeliverabilityModel Deliverability { get; private set; } = null!;
    public IReadOnlyList<TemplateResponse> Templates { get; private set; } = [];
    public IReadOnlyList<CampaignResponse> Campaigns { get; private set; } = [];
    public IReadOnlyList<ContactResponse> Contacts { get; private set; } = [];
    public IReadOnlyList<ImportJobResponse> Imports { get; private set; } = [];
    public IReadOnlyList<SuppressionResponse> Suppressions { get; private set; } = [];
    public IReadOnlyList<WebhookWithDeliveries> Webhooks { get; private set; } = [];
    public bool ImportsRunning => Imports.Any(j => j.Status is "queued" or "running");

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (Slug is null)
        {
            if (!Caller.IsOperator)
                return Redirect($"/ui/tenants/{Uri.EscapeDataString(Caller.TenantSlug!)}");
            All = ApiOutcome.Expect<ItemList<TenantResponse>>(await TenantEndpoints.ListTenants(User, db, settings, ct)).Items.ToList();
            return Page();
        }
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    /// <summary>The imports table alone, polled by htmx while a job runs.</summary>
    public async Task<IActionResult> OnGetImportsAsync(CancellationToken ct)
    {
        if (await TenantIdAsync(ct) is not { } tenantId)
            return NotFound();
        Imports = await ImportsAsync(tenantId, ct);
        return Partial("_Imports", this);
    }

    public async Task<IActionResult> OnGetRejectsAsync(long job, CancellationToken ct) =>
        new ApiResultAction(await ImportEndpoints.GetRejects(job, User, tenants, db, ct));

    public async Task<IActionResult> OnGetExportSuppressionsAsync(CancellationToken ct) =>
        new ApiResultAction(await SuppressionEndpoints.Export(Slug, "tenant", User, tenants, db, ct));

    public async Task<IActionResult> OnPostCreateKeyAsync(string? name, CancellationToken ct)
    {
        if (!Caller.IsOperator)
            return Forbid();
        var outcome = await ApiKeyEndpoints.CreateKey(Slug!, new CreateKeyRequest(name), keys, ct);
        if (ApiOutcome.Problem(outcome) is { } problem)
            return Failed(problem);
        // The token is shown in this answer only: never stored, never redirected through a URL or a cookie.
        NewKey = ApiOutcome.Value<CreatedKey>(outcome);
        Response.Headers.CacheControl = "no-store";
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostRevokeKeyAsync(string keyId, bool confirm, CancellationToken ct)
    {
        if (!Caller.IsOperator)
            return Forbid();
        return confirm ? AfterAction(await ApiKeyEndpoints.RevokeKey(Slug!, keyId, keys, ct), Text["done.key_revoked"]) : Unconfirmed();
    }

    public async Task<IActionResult> OnPostCreateTemplateAsync(string? name, string? subject, string? html, string? language, CancellationToken ct) =>
        AfterAction(await CreateTemplate.Handle(new CreateTemplateRequest(name, subject, html, language, Slug), User, tenants, db, outbox, clock, ct),
            Text["done.template_created"]);

    public async Task<IActionResult> OnPostResyncTemplateAsync(long id, CancellationToken ct) =>
        AfterAction(await GetTemplate.Resync(id, User, tenants, db, outbox, ct), Text["done.resync"]);

    public async Task<IActionResult> OnPostResyncCampaignAsync(long id, CancellationToken ct) =>
        AfterAction(await UpdateCampaign.Resync(id, User, tenants, db, outbox, clock, ct), Text["done.resync"]);

    public async Task<IActionResult> OnPostAddSuppressionAsync(string? email, string? reason, string? note, CancellationToken ct) =>
        AfterAction(await SuppressionEndpoints.Add(new AddSuppressionRequest(email, reason ?? "manual", Slug, "tenant", note), User, tenants,
            suppressions, ct), Text["done.suppressed"]);

    public async Task<IActionResult> OnPostUpdateSenderAsync(SenderForm form, CancellationToken ct)
    {
        if (!Caller.IsOperator)
            return Forbid();
        return AfterAction(await TenantEndpoints.UpdateTenant(Slug!, form.ToRequest(), db, outbox, settings, clock, ct), Text["done.saved"]);
    }

    public async Task<IActionResult> OnPostUpdateCampaignAsync(long id, string? name, long? templateId, string? subject, string? fromName,
        string? fromEmail, string? replyTo, CancellationToken ct) =>
        AfterAction(await UpdateCampaign.Handle(id, new UpdateCampaignRequest(name, templateId, null, null, subject, fromName, fromEmail, replyTo),
            User, tenants, db, outbox, clock, ct), Text["done.saved"]);

    public async Task<IActionResult> OnPostPauseCampaignAsync(long id, CancellationToken ct) =>
        AfterAction(await UpdateCampaign.Pause(id, User, tenants, db, outbox, clock, ct), Text["done.saved"]);

    public async Task<IActionResult> OnPostResumeCampaignAsync(long id, CancellationToken ct) =>
        AfterAction(await UpdateCampaign.Resume(id, User, tenants, db, outbox, clock, ct), Text["done.saved"]);

    /// <summary>A contact file from the form, queued like the API's upload; the imports table then follows it live.</summary>
    public async Task<IActionResult> OnPostImportContactsAsync(IFormFile? file, string? delimiter, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
            return Failed(Text["error.no_file"]);
        await using var stream = file.OpenReadStream();
        var outcome = await ImportEndpoints.UploadFrom(stream, Slug, delimiter, null, Path.GetFileName(file.FileName), User, tenants, db,
            database, imports, clock, ct);
        return AfterAction(outcome, Text["done.import_queued"], $"/ui/tenants/{Uri.EscapeDataString(Slug!)}#imports-section");
    }

    public async Task<IActionResult> OnPostImportSuppressionsAsync(IFormFile? file, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
            return Failed(Text["error.no_file"]);
        await using var stream = file.OpenReadStream();
        var outcome = await SuppressionEndpoints.ImportFrom(stream, Slug, "tenant", User, tenants, suppressions, ct);
        var done = ApiOutcome.Value<SuppressionImportResponse>(outcome) is { } result
            ? string.Format(Text["done.suppressions_imported"], result.Added, result.AlreadySuppressed, result.Rejected.Count)
              + string.Concat(result.Rejected.Take(5).Select(r => $" — {r.Row}: {r.Value} ({r.Reason})"))
            : "";
        return AfterAction(outcome, done, $"/ui/tenants/{Uri.EscapeDataString(Slug!)}#suppressions");
    }

    public async Task<IActionResult> OnPostCreateWebhookAsync(string? url, List<string>? events, string? description, CancellationToken ct)
    {
        var outcome = await WebhookEndpoints.Create(new CreateWebhookRequest(url, events ?? [], description, Slug), User, tenants,
            webhookTargets, webhookSecrets, db, clock, ct);
        if (ApiOutcome.Problem(outcome) is { } problem)
            return Failed(problem);
        // The signing secret is shown in this answer only, like a new key.
        NewWebhook = ApiOutcome.Value<WebhookWithSecretResponse>(outcome);
        Response.Headers.CacheControl = "no-store";
        return await LoadAsync(ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostUpdateWebhookAsync(long id, string? url, List<string>? events, bool enabled, CancellationToken ct)
        // Another tenant's webhook is "not found" to the handler, as in the API.
        => AfterAction(await WebhookEndpoints.Update(id, new UpdateWebhookRequest(url, events ?? [], enabled, null), User, webhookTargets,
            db, clock, ct), Text["done.saved"], $"/ui/tenants/{Uri.EscapeDataString(Slug!)}#webhooks");

    private async Task<long?> TenantIdAsync(CancellationToken ct) =>
        Slug is null ? null : (await tenants.ForReadAsync(User, Slug, ct)) is { IsSuccess: true, Value: { } id } ? id : null;

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        if (ApiOutcome.Value<TenantResponse>(await TenantEndpoints.GetTenant(Slug!, User, tenants, db, settings, ct)) is not { } tenant)
            return false;
        Tenant = tenant;
        var tenantId = (await TenantIdAsync(ct))!.Value;
        if (Caller.IsOperator)
            Keys = ApiOutcome.Expect<ItemList<KeySummary>>(await ApiKeyEndpoints.ListKeys(Slug!, keys, ct)).Items.ToList();
        Deliverability = new DeliverabilityModel(await DeliverabilityWindow.LastDayAndWeekAsync(stats, warmup, tenantId, clock.GetUtcNow(), ct), warmup.MinSent);
        Templates = ApiOutcome.Expect<ItemList<TemplateResponse>>(await ListTemplates.Handle(Slug, null, null, User, tenants, db, ct)).Items.ToList();
        Campaigns = ApiOutcome.Expect<ItemList<CampaignResponse>>(await ListCampaigns.Handle(Slug, User, tenants, db, ct)).Items.ToList();
        var contacts = await ContactEndpoints.ListContacts(Slug, null, string.IsNullOrWhiteSpace(Email) ? null : Email, null, 50, User, tenants, db, ct);
        Contacts = ApiOutcome.Value<Page<ContactResponse>>(contacts)?.Items.ToList() ?? [];
        if (ApiOutcome.Problem(contacts) is { } problem)
            TempData["error"] = problem;
        Imports = await ImportsAsync(tenantId, ct);
        Suppressions = ApiOutcome.Expect<Page<SuppressionResponse>>(await SuppressionEndpoints.List(Slug, "tenant", null, null, User, tenants, db, ct))
            .Items.Take(100).ToList();
        var hooks = ApiOutcome.Expect<ItemList<WebhookResponse>>(await WebhookEndpoints.List(Slug, User, tenants, db, ct)).Items.ToList();
        var withDeliveries = new List<WebhookWithDeliveries>();
        foreach (var hook in hooks)
            withDeliveries.Add(new(hook, ApiOutcome.Expect<ItemList<WebhookDeliveryResponse>>(
                await WebhookEndpoints.ListDeliveries(hook.Id, null, 10, User, db, ct)).Items.ToList()));
        Webhooks = withDeliveries;
        return true;
    }

    private async Task<IReadOnlyList<ImportJobResponse>> ImportsAsync(long tenantId, CancellationToken ct) =>
        (await db.Set<ImportJob>().AsNoTracking().Where(j => j.TenantId == tenantId).OrderByDescending(j => j.Id).Take(10).ToListAsync(ct))
        .Select(ImportJobResponse.From).ToList();
}
