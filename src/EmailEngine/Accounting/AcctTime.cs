using System.Globalization;

namespace EmailEngine.Accounting;

/// <summary>PowerMTA's <c>timeLogged</c>: <c>2026-11-25 10:00:00+0000</c> (iso-times, the default) or ISO 8601.</summary>
public static class AcctTime
{
    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return null;
        // "+0000" is not an offset .NET parses; "+00:00" is.
        if (text.Length >= 5 && text[^5] is '+' or '-' && char.IsAsciiDigit(text[^1]) && text[^3] != ':')
            text = string.Concat(text.AsSpan(0, text.Length - 2), ":", text.AsSpan(text.Length - 2));
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
