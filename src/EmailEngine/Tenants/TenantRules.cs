using System.Globalization;
using EmailEngine.Http;

namespace EmailEngine.Tenants;

internal static class TenantRules
{
    public static bool IsValidSlug(string slug) =>
        slug.Length is >= 1 and <= 64
        && char.IsAsciiLetterLower(slug[0]) | char.IsAsciiDigit(slug[0])
        && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_');

    public const string SlugRule = "must be 1-64 characters: lower-case letters, digits, '-' or '_', starting with a letter or digit";

    /// <summary>BCP 47 language tag (<c>fr</c>, <c>fr-CA</c>, <c>en</c>), normalized to its canonical casing.</summary>
    public static string? NormalizeLanguage(string? tag)
    {
        if (string.IsNullOrWhiteSpace(tag) || tag.Length > 35)
            return null;
        var parts = tag.Trim().Replace('_', '-').Split('-');
        if (parts[0].Length is < 2 or > 3 || !parts[0].All(char.IsAsciiLetter))
            return null;
        foreach (var subtag in parts.Skip(1))
            if (subtag.Length is < 1 or > 8 || !subtag.All(char.IsAsciiLetterOrDigit))
                return null;
        return string.Join('-', parts.Select((p, i) => i == 0 ? p.ToLowerInvariant()
            : p.Length == 2 ? p.ToUpperInvariant()
            : p.Length == 4 ? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(p.ToLowerInvariant())
            : p.ToLowerInvariant()));
    }

    public const string LanguageRule = "must be a BCP 47 language tag such as 'fr', 'fr-CA' or 'en'";

    public static void CheckLanguage(FieldErrors errors, string field, string? tag)
    {
        if (tag is not null && NormalizeLanguage(tag) is null)
            errors.Add(field, LanguageRule);
    }
}
