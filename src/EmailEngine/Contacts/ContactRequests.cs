using System.Text.Json.Serialization;

namespace EmailEngine.Contacts;

public sealed record ConsentRequest(DateTimeOffset? Timestamp, string? Ip, string? Text);

/// <summary><c>first_name</c>/<c>fname</c> and <c>last_name</c>/<c>lname</c> are synonyms.</summary>
public sealed record CreateContactRequest(
    string? Email, string? FirstName, string? Fname, string? LastName, string? Lname, string? Company, string? Language,
    string? Tenant, string? Source, List<string>? Tags, Dictionary<string, string>? Fields, ConsentRequest? Consent)
{
    [JsonIgnore] public string? GivenName => FirstName ?? Fname;
    [JsonIgnore] public string? FamilyName => LastName ?? Lname;
}

public sealed record ContactEventResponse(DateTimeOffset At, string Type, string? Detail);

public sealed record ContactResponse(
    long Id, string Tenant, string Email, string? FirstName, string? LastName, string? Company, string Language, string? Source,
    IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string> Fields, string Status, IReadOnlyList<string> Flags,
    long? WelcomeCampaignId, Outbox.SyncResponse Sync, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<ContactEventResponse>? Timeline)
{
    public static ContactResponse From(Contact c, string tenantSlug, IReadOnlyList<ContactEvent>? timeline = null) => new(
        c.Id, tenantSlug, c.Email, c.FirstName, c.LastName, c.Company, c.Language, c.Source,
        System.Text.Json.JsonSerializer.Deserialize<List<string>>(c.Tags)!,
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(c.Fields)!,
        c.Status.ToString().ToLowerInvariant(), FlagNames(c.Flags), c.WelcomeCampaignId, Outbox.SyncResponse.From(c.Sync),
        c.CreatedAt, c.UpdatedAt, timeline?.Select(e => new ContactEventResponse(e.At, e.Type, e.Detail)).ToList());

    private static IReadOnlyList<string> FlagNames(Validation.EmailFlags flags) =>
        Enum.GetValues<Validation.EmailFlags>().Where(f => f != Validation.EmailFlags.None && flags.HasFlag(f))
            .Select(f => f switch
            {
                Validation.EmailFlags.RoleAccount => "role_account",
                Validation.EmailFlags.DisposableDomain => "disposable_domain",
                _ => "smtputf8",
            }).ToList();
}
