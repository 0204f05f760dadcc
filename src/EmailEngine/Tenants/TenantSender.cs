using EmailEngine.Http;
using EmailEngine.Outbox;

namespace EmailEngine.Tenants;

/// <summary>Validation and application of a tenant's sender settings, and the push of its MailWizz list.</summary>
internal static class TenantSender
{
    public const string ListKind = "mailwizz.list";

    public sealed record ListPayload(string Language);

    public static string ListResourceKey(long tenantId, string language) => $"list:{tenantId}:{language}";

    public static Task EnqueueListAsync(OutboxWriter outbox, long tenantId, string language, CancellationToken ct) =>
        outbox.EnqueueAsync(ListKind, ListResourceKey(tenantId, language), tenantId,
            System.Text.Json.JsonSerializer.Serialize(new ListPayload(language)), ct);

    public static void Check(FieldErrors errors, SenderRequest? sender)
    {
        if (sender is null)
            return;
        errors.CheckEmail("sender.from_email", sender.FromEmail);
        errors.CheckEmail("sender.reply_to", sender.ReplyTo);
        foreach (var (field, value, max) in new[]
        {
            ("sender.from_name", sender.FromName, 100), ("sender.company_name", sender.CompanyName, 100),
            ("sender.company_address", sender.CompanyAddress, 255), ("sender.company_city", sender.CompanyCity, 100),
            ("sender.company_zip", sender.CompanyZip, 20), ("sender.company_country", sender.CompanyCountry, 100),
        })
        {
            if (value is { } v && v.Length > max)
                errors.Add(field, $"must be at most {max} characters");
        }
    }

    /// <summary>Sets the given fields; an empty string clears one back to the operator default.</summary>
    public static void Apply(SenderSettings target, SenderRequest request)
    {
        static string? Value(string? given, string? current) => given is null ? current : given.Trim().Length == 0 ? null : given.Trim();
        target.FromName = Value(request.FromName, target.FromName);
        target.FromEmail = Value(request.FromEmail, target.FromEmail);
        target.ReplyTo = Value(request.ReplyTo, target.ReplyTo);
        target.CompanyName = Value(request.CompanyName, target.CompanyName);
        target.CompanyAddress = Value(request.CompanyAddress, target.CompanyAddress);
        target.CompanyCity = Value(request.CompanyCity, target.CompanyCity);
        target.CompanyZip = Value(request.CompanyZip, target.CompanyZip);
        target.CompanyCountry = Value(request.CompanyCountry, target.CompanyCountry);
    }
}
