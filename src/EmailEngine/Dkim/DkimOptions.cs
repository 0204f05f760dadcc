using EmailEngine.Hosting;

namespace EmailEngine.Dkim;

/// <summary>
/// <c>DKIM_SELECTOR</c> (default <c>ee1</c>): the selector of a domain's first key; a rotation uses
/// <c>{DKIM_SELECTOR}-{yyyyMMdd}</c> unless one is given. DNS verification asks <see cref="Common.DnsServers"/>.
/// </summary>
public sealed record DkimOptions(string Selector)
{
    public const string DefaultSelector = "ee1";

    public static DkimOptions From(EngineSettings settings)
    {
        var selector = settings.Get("DKIM_SELECTOR")?.Trim().ToLowerInvariant() ?? DefaultSelector;
        if (SelectorProblem(selector) is { } problem)
            throw new ConfigurationError("DKIM_SELECTOR", problem);
        return new DkimOptions(selector);
    }

    /// <summary>A selector is one DNS label here (letters, digits, inner hyphens), so key file names stay plain.</summary>
    public static string? SelectorProblem(string selector) =>
        selector.Length is 0 or > 63 ? "must be 1 to 63 characters"
        : !selector.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') || selector[0] == '-' || selector[^1] == '-'
            ? "may only hold lower-case letters, digits and inner hyphens"
            : null;
}
