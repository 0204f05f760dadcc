using System.Globalization;

namespace EmailEngine.Contacts.Validation;

/// <summary>
/// What a recipient domain, already a valid host name in ASCII, must also be for mail to reach it: IDNA 2008's label
/// rules (RFC 5891 §4.2.3.1, §5.4) and a name outside IANA's special-use domain registry (RFC 6761 and successors).
/// </summary>
internal static class DomainLabels
{
    private static readonly IdnMapping Idn = new() { UseStd3AsciiRules = true };

    /// <summary>Top-level names reserved for uses that never reach a mailbox (IANA special-use domain names registry).</summary>
    private static readonly HashSet<string> SpecialUse = ["test", "invalid", "localhost", "local", "onion", "alt", "example", "arpa"];

    public static (string Code, string Reason)? Problem(string ascii)
    {
        var labels = ascii.Split('.');
        var top = labels[^1];
        if (SpecialUse.Contains(top))
            return ("special_use_domain", $"ends in .{top}, a special-use name (IANA special-use domain registry, RFC 6761) that no mailbox is reached at");
        foreach (var label in labels)
        {
            if (label.Length < 4 || label[2] != '-' || label[3] != '-')
                continue;
            if (!label.StartsWith("xn--", StringComparison.Ordinal))
                return ("invalid_domain", $"label '{label}' has hyphens in positions 3 and 4, reserved for encodings such as punycode (RFC 5891 §4.2.3.1)");
            if (!IsALabel(label))
                return ("invalid_domain", $"label '{label}' is not a valid punycode A-label (RFC 5891 §5.4)");
        }
        if (!top.StartsWith("xn--", StringComparison.Ordinal) && !top.All(char.IsAsciiLetter))
            return ("invalid_domain", $"top-level label '{top}' cannot exist: top-level domains are letters only, or an A-label");
        return null;
    }

    /// <summary>The Unicode form of a domain whose A-labels <see cref="Problem"/> has accepted.</summary>
    public static string Unicode(string ascii) => Idn.GetUnicode(ascii);

    // An A-label decodes to Unicode that encodes back to the very same label.
    private static bool IsALabel(string label)
    {
        try
        {
            return Idn.GetAscii(Idn.GetUnicode(label)) == label;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
