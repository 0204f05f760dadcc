using System.Globalization;

namespace EmailEngine.Common;

/// <summary>DNS host names as used for HELO / smtp-source-host and sending domains (RFC 1123, IDN to punycode).</summary>
public static class Hostname
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Lower-cased ASCII form, or a reason it is not a valid fully-qualified host name.</summary>
    public static bool TryNormalize(string? value, out string normalized, out string reason)
    {
        normalized = "";
        reason = "";
        var text = value?.Trim() ?? "";
        if (text.EndsWith('.'))
            text = text[..^1];
        if (text.Length == 0)
        {
            reason = "required";
            return false;
        }
        if (!text.All(char.IsAscii))
        {
            try { text = Idn.GetAscii(text); }
            catch (ArgumentException) { reason = "is not a valid internationalized domain name"; return false; }
        }
        text = text.ToLowerInvariant();
        if (text.Length > 253)
        {
            reason = $"is {text.Length} characters; a host name has at most 253";
            return false;
        }
        var labels = text.Split('.');
        if (labels.Length < 2)
        {
            reason = "must be a fully-qualified name with at least two labels (e.g. mail1.domain1.com)";
            return false;
        }
        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63)
            {
                reason = label.Length == 0 ? "has an empty label (two dots in a row?)" : $"label '{label[..20]}…' is longer than 63 characters";
                return false;
            }
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') || label[0] == '-' || label[^1] == '-')
            {
                reason = $"label '{label}' may only hold letters, digits and inner hyphens";
                return false;
            }
        }
        if (labels[^1].All(char.IsAsciiDigit))
        {
            reason = "the top-level label cannot be all digits (an IP address is not a host name)";
            return false;
        }
        normalized = text;
        return true;
    }
}
