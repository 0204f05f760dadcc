using AngleSharp.Html.Parser;
using EmailEngine.Http;
using EmailEngine.Tenants;

namespace EmailEngine.Templates;

internal static class TemplateRules
{
    public const int MaxNameLength = 190; // MailWizz allows 255 for the remote "tenant/name"
    public const int MaxHtmlLength = 512 * 1024;

    /// <summary>
    /// HTML5 parsers recover from anything, so "parses" means: no error that loses content or markup in a mail client
    /// (unterminated tags, attributes or comments, mismatched closing tags). A missing doctype and other benign
    /// recoveries are accepted; email HTML often has them.
    /// </summary>
    private static readonly HashSet<HtmlParseError> Breaking =
    [
        HtmlParseError.EOF, HtmlParseError.AmbiguousOpenTag, HtmlParseError.TagClosedWrong, HtmlParseError.ClosingSlashMisplaced,
        HtmlParseError.AttributeNameInvalid, HtmlParseError.AttributeValueInvalid, HtmlParseError.AttributeNameExpected,
        HtmlParseError.DoubleQuotationMarkUnexpected, HtmlParseError.SingleQuotationMarkUnexpected, HtmlParseError.TagClosingMismatch,
        HtmlParseError.TagDoesNotMatchCurrentNode, HtmlParseError.BogusComment, HtmlParseError.CommentEndedUnexpected,
        HtmlParseError.Null,
    ];

    public static string? FirstHtmlError(string html)
    {
        string? first = null;
        var parser = new HtmlParser(new HtmlParserOptions { IsNotConsumingCharacterReferences = true });
        parser.Error += (_, e) =>
        {
            if (first is null && e is AngleSharp.Html.Dom.Events.HtmlErrorEvent error && Breaking.Contains((HtmlParseError)error.Code))
                first = $"HTML does not parse at line {error.Position.Line}, column {error.Position.Column}: {error.Message}";
        };
        parser.ParseDocument(html);
        return first;
    }

    public static void Check(FieldErrors errors, string? name, string? subject, string? html, string? language, bool partial)
    {
        if (name is not null || !partial)
        {
            if (string.IsNullOrWhiteSpace(name))
                errors.Add("name", "required");
            else if (name.Trim().Length > MaxNameLength)
                errors.Add("name", $"must be at most {MaxNameLength} characters");
        }
        if (subject is not null || !partial)
        {
            if (string.IsNullOrWhiteSpace(subject))
                errors.Add("subject", "required");
            else if (subject.Length > 255)
                errors.Add("subject", "must be at most 255 characters (MailWizz's limit)");
        }
        if (html is not null || !partial)
        {
            if (string.IsNullOrWhiteSpace(html))
                errors.Add("html", "required");
            else if (html.Length > MaxHtmlLength)
                errors.Add("html", $"is {html.Length} characters; the limit is {MaxHtmlLength}");
            else if (FirstHtmlError(html) is { } htmlError)
                errors.Add("html", htmlError);
        }
        if (language is not null || !partial)
        {
            if (string.IsNullOrWhiteSpace(language))
                errors.Add("language", "required (BCP 47, e.g. fr, fr-CA, en)");
            else if (TenantRules.NormalizeLanguage(language) is null)
                errors.Add("language", TenantRules.LanguageRule);
        }
    }
}
