using System.Security.Claims;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;

namespace EmailEngine.Templates;

public sealed record PreviewRequest(Dictionary<string, string>? Fields);
public sealed record PreviewResponse(string Subject, string Html, IReadOnlyList<string> MissingTags);

public static class PreviewTemplate
{
    private static readonly Dictionary<string, string> Samples = new()
    {
        ["EMAIL"] = "jane.doe@example.com", ["FNAME"] = "Jane", ["LNAME"] = "Doe", ["COMPANY"] = "Example Ltd",
        ["UNSUBSCRIBE_URL"] = "https://example.com/unsubscribe", ["CURRENT_YEAR"] = DateTime.UtcNow.Year.ToString(),
    };

    /// <summary>Renders subject and HTML as MailWizz would, with the given field values over sample ones.</summary>
    public static async Task<IResult> Handle(long id, PreviewRequest? request, ClaimsPrincipal user, TenantScope tenants,
        AppDbContext db, CancellationToken ct)
    {
        var found = await GetTemplate.FindAsync(id, user, tenants, db, ct);
        if (!found.IsSuccess)
            return found.Error!.ToProblem();
        var template = found.Value!;
        var values = new Dictionary<string, string>(Samples);
        foreach (var (tag, value) in request?.Fields ?? [])
            values[tag.Trim().ToUpperInvariant()] = value;
        var missing = MergeTags.Find(template.Subject, template.Html).Where(t => !values.ContainsKey(t)).ToList();
        return TypedResults.Ok(new PreviewResponse(MergeTags.Render(template.Subject, values), MergeTags.Render(template.Html, values), missing));
    }
}
