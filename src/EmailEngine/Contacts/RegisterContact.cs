using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using EmailEngine.Contacts.Validation;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;

namespace EmailEngine.Contacts;

/// <summary>
/// <c>POST /api/v2/contacts</c>: steps 1–5 of the contact workflow (docs/contacts-and-import.md). Validate the
/// contact here, then <see cref="ContactWriter"/> stores it (one per tenant and address: a repeat updates it), chooses
/// its welcome template and autoresponder (creating the built-in ones when missing), and queues its subscription to
/// MailWizz. Always 202: MailWizz is reached by the outbox, so an outage loses nothing. A suppressed address is stored
/// as suppressed and never sent to MailWizz (200).
/// </summary>
public static partial class RegisterContact
{
    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,49}$")]
    private static partial Regex FieldTag();

    public static async Task<IResult> Handle(CreateContactRequest request, ClaimsPrincipal user, TenantScope tenants, AppDbContext db,
        DomainCheck domains, ContactWriter writer, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var address = EmailAddressValidator.Check(request.Email);
        if (!address.IsValid)
            errors.Add("email", $"{address.Reason} ({address.Code})");
        Validate(request, errors);
        var domainVerdict = address.IsValid && domains.Enabled
            ? await domains.CheckAsync(address.Normalized![(address.Normalized!.LastIndexOf('@') + 1)..], ct)
            : (DomainVerdict?)null;
        if (domainVerdict == DomainVerdict.NoMailHost)
            errors.Add("email", "the domain has no mail server (no MX, A or AAAA record, or a null MX) (no_mail_host)");
        if (errors.Any)
            return errors.ToFailure().ToProblem();
        var resolved = await tenants.RefForWriteAsync(user, request.Tenant, ct);
        if (!resolved.IsSuccess)
            return resolved.Error!.ToProblem();
        var tenant = resolved.Value!;
        var events = new List<(string Type, string? Detail)> { ("received", request.Source), ("validated", FlagsText(address.Flags)) };
        if (domainVerdict is { } verdict)
            events.Add(("domain_checked", DomainCheck.ToWire(verdict)));

        var written = await writer.WriteAsync(new ContactIntake(tenant.Id, request, address.Normalized!, address.Flags, TenantRules.NormalizeLanguage(request.Language), events,
            clock.GetUtcNow()), ct);
        if (!written.IsSuccess)
            return written.Error!.ToProblem();
        var (contact, isNew, recorded) = written.Value!;
        // A new contact's timeline is what this request recorded; a known one's starts with what earlier requests did.
        var body = ContactResponse.From(contact, tenant.Slug, isNew ? recorded : await ContactEndpoints.TimelineAsync(db, contact.Id, ct));
        return contact.Status == ContactStatus.Suppressed ? TypedResults.Ok(body) : TypedResults.Accepted($"/api/v2/contacts/{contact.Id}", body);
    }

    private static void Validate(CreateContactRequest request, FieldErrors errors)
    {
        foreach (var (field, value, max) in new[]
        {
            ("first_name", request.GivenName, 255), ("last_name", request.FamilyName, 255), ("company", request.Company, 255), ("source", request.Source, 100),
        })
        {
            if (value is { Length: > 0 } v && v.Length > max)
                errors.Add(field, $"must be at most {max} characters");
        }
        TenantRules.CheckLanguage(errors, "language", request.Language);
        if (request.Tags is { } tags && (tags.Count > 50 || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 64)))
            errors.Add("tags", "at most 50 tags of 1-64 characters");
        foreach (var (key, value) in request.Fields ?? [])
        {
            var tag = key.Trim().ToUpperInvariant();
            if (!FieldTag().IsMatch(tag) || tag is "EMAIL")
                errors.Add($"fields.{key}", "field names become MailWizz tags: letters, digits and _ starting with a letter (EMAIL is reserved)");
            else if (value?.Length > 255)
                errors.Add($"fields.{key}", "must be at most 255 characters");
        }
        if (request.Consent is { } consent)
        {
            if (consent.Ip is not null && !IPAddress.TryParse(consent.Ip, out _))
                errors.Add("consent.ip", "must be an IPv4 or IPv6 address");
            if (consent.Text?.Length > 1000)
                errors.Add("consent.text", "must be at most 1000 characters");
        }
    }

    /// <summary>Sets what the request gives; a repeat intake never blanks a value it does not mention.</summary>
    internal static void Apply(Contact contact, CreateContactRequest request, string language, EmailFlags flags, DateTimeOffset now)
    {
        contact.FirstName = request.GivenName?.Trim() ?? contact.FirstName;
        contact.LastName = request.FamilyName?.Trim() ?? contact.LastName;
        contact.Company = request.Company?.Trim() ?? contact.Company;
        contact.Language = request.Language is null ? contact.Language : language;
        contact.Source = request.Source?.Trim() ?? contact.Source;
        if (request.Tags is { } tags)
            contact.Tags = JsonSerializer.Serialize(JsonSerializer.Deserialize<List<string>>(contact.Tags)!.Union(tags.Select(t => t.Trim())).ToList());
        if (request.Fields is { Count: > 0 } fields)
        {
            var merged = JsonSerializer.Deserialize<Dictionary<string, string>>(contact.Fields)!;
            foreach (var (key, value) in fields)
                merged[key.Trim().ToUpperInvariant()] = value ?? "";
            contact.Fields = JsonSerializer.Serialize(merged);
        }
        if (request.Consent is { } consent)
            (contact.ConsentAt, contact.ConsentIp, contact.ConsentText) = (consent.Timestamp ?? now, consent.Ip, consent.Text);
        contact.Flags = flags;
        contact.UpdatedAt = now;
    }

    private static string FlagsText(EmailFlags flags) => flags == EmailFlags.None ? "ok" : flags.ToString();
}
