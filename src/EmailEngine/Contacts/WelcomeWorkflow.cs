using EmailEngine.Campaigns;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Templates;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts;

/// <summary>
/// Steps 3–4 of the contact workflow (docs/contacts-and-import.md): which "welcome" template a new contact needs,
/// and the autoresponder that sends it. Language fallback: the contact's tag (<c>fr-CA</c>) → its base language
/// (<c>fr</c>) → the tenant's default language (and its base) → a built-in default welcome template, created here (and
/// pushed) when none exists. A welcome template is a tenant template whose name starts with <c>welcome</c>.
/// </summary>
public sealed class WelcomeWorkflow(AppDbContext db, OutboxWriter outbox, TimeProvider clock)
{
    public sealed record Choice(EmailTemplate Template, Campaign Campaign, string Path);

    public static IReadOnlyList<string> FallbackChain(string language, string tenantDefault) =>
        new[] { language, BaseOf(language), tenantDefault, BaseOf(tenantDefault) }.Distinct().ToList();

    private static string BaseOf(string language) => language.Split('-')[0];

    public async Task<Choice> ChooseAsync(Tenant tenant, string language, CancellationToken ct)
    {
        var chain = FallbackChain(language, tenant.DefaultLanguage);
        // Read only: the choice gives ids and names, and tracked copies would be checked for changes at every later save.
        var welcomes = await db.Set<EmailTemplate>().AsNoTracking()
            .Where(t => t.TenantId == tenant.Id && chain.Contains(t.Language) && t.Name.StartsWith("welcome"))
            .OrderBy(t => t.Id)
            .ToListAsync(ct);
        var chosen = chain.Select(l => welcomes.FirstOrDefault(t => t.Language == l)).FirstOrDefault(t => t is not null);
        var path = chosen is null ? $"{string.Join(" → ", chain)} → built-in default" : $"{string.Join(" → ", chain.TakeWhile(l => l != chosen.Language).Append(chosen.Language))}";
        var template = chosen ?? await CreateBuiltInAsync(tenant, BaseOf(language), ct);
        var campaign = await AutorespondersOf(tenant.Id, template.Id).AsNoTracking().FirstOrDefaultAsync(ct)
            ?? await CreateWelcomeCampaignAsync(tenant, template, ct);
        return new Choice(template, campaign, path);
    }

    /// <summary>The autoresponders sending a template, the welcome one first.</summary>
    private IQueryable<Campaign> AutorespondersOf(long tenantId, long templateId) =>
        db.Set<Campaign>().Where(c => c.TenantId == tenantId && c.TemplateId == templateId && c.Type == CampaignType.Autoresponder)
            .OrderByDescending(c => c.IsWelcome).ThenBy(c => c.Id);

    private async Task<EmailTemplate> CreateBuiltInAsync(Tenant tenant, string language, CancellationToken ct)
    {
        var (lang, subject, html) = BuiltIn.TryGetValue(language, out var text) ? (language, text.Subject, text.Html) : ("en", BuiltIn["en"].Subject, BuiltIn["en"].Html);
        var name = $"welcome_{lang}";
        if (await db.Set<EmailTemplate>().SingleOrDefaultAsync(t => t.TenantId == tenant.Id && t.Name == name, ct) is { } existing)
            return existing;
        var created = await CreateTemplate.CreateAsync(db, outbox, clock, tenant, name, subject, html, lang, ct);
        return created.Value ?? await db.Set<EmailTemplate>().SingleAsync(t => t.TenantId == tenant.Id && t.Name == name, ct);
    }

    private async Task<Campaign> CreateWelcomeCampaignAsync(Tenant tenant, EmailTemplate template, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var name = template.Name;
        if (await db.Set<Campaign>().SingleOrDefaultAsync(c => c.TenantId == tenant.Id && c.Name == name, ct) is { } taken)
        {
            // A concurrent first contact created it since the lookup above: a second autoresponder on the same list
            // would send every subscriber two welcomes.
            if (taken.TemplateId == template.Id && taken.Type == CampaignType.Autoresponder)
                return taken;
            name = $"{template.Name}_welcome";
        }
        var campaign = new Campaign
        {
            // The id only: a concurrent first contact may have cleared the change tracker (a lost insert race), and a
            // detached tenant given as a navigation would be inserted again.
            TenantId = tenant.Id, Name = name, TemplateId = template.Id, Type = CampaignType.Autoresponder,
            IsWelcome = true, CreatedAt = now, UpdatedAt = now,
        };
        var created = await CreateCampaign.CreateAsync(db, outbox, campaign, ct);
        return created.Value ?? await db.Set<Campaign>().SingleAsync(c => c.TenantId == tenant.Id && c.Name == name, ct);
    }

    private static readonly Dictionary<string, (string Subject, string Html)> BuiltIn = new()
    {
        ["fr"] = ("Bienvenue, [FNAME] !",
            "<!DOCTYPE html><html><body><p>Bonjour [FNAME],</p><p>Merci de votre inscription chez [COMPANY].</p>"
            + "<p><a href=\"[UNSUBSCRIBE_URL]\">Se désinscrire</a></p></body></html>"),
        ["en"] = ("Welcome, [FNAME]!",
            "<!DOCTYPE html><html><body><p>Hello [FNAME],</p><p>Thank you for signing up with [COMPANY].</p>"
            + "<p><a href=\"[UNSUBSCRIBE_URL]\">Unsubscribe</a></p></body></html>"),
        ["es"] = ("¡Bienvenido, [FNAME]!",
            "<!DOCTYPE html><html><body><p>Hola [FNAME],</p><p>Gracias por registrarte en [COMPANY].</p>"
            + "<p><a href=\"[UNSUBSCRIBE_URL]\">Darse de baja</a></p></body></html>"),
        ["de"] = ("Willkommen, [FNAME]!",
            "<!DOCTYPE html><html><body><p>Hallo [FNAME],</p><p>Danke für Ihre Anmeldung bei [COMPANY].</p>"
            + "<p><a href=\"[UNSUBSCRIBE_URL]\">Abmelden</a></p></body></html>"),
    };
}
