using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using EmailEngine.Common;

namespace EmailEngine.Contacts.Validation;

/// <summary>A checked address: its normalized form and what we noticed about it.</summary>
public sealed record EmailAddressCheck(bool IsValid, string? Normalized, string? Code, string? Reason, EmailFlags Flags, string? UnicodeDomain = null)
{
    public static EmailAddressCheck Invalid(string code, string reason) => new(false, null, code, reason, EmailFlags.None);
}

[Flags]
public enum EmailFlags { None = 0, RoleAccount = 1, DisposableDomain = 2, SmtpUtf8 = 4 }

/// <summary>
/// Address syntax as real mail systems accept it (RFC 5321 mailbox, RFC 5322 dot-atom, RFC 6531 UTF-8):
/// dot-atom local parts (≤ 64 octets), no leading, trailing or doubled dots, a fully-qualified domain (IDN converted to
/// punycode), ≤ 254 octets in all. Refused although RFC-valid, because mailbox providers and MailWizz refuse them and
/// they are a typo or abuse signal in sign-up forms: quoted local parts, comments, IP-literal domains. Domains follow
/// IDNA 2008 as far as mail needs (<see cref="DomainLabels"/>): A-labels must decode, other labels may not have hyphens
/// in positions 3–4, the top-level label is letters or an A-label, and names of IANA's special-use registry (.test,
/// .invalid, .localhost, .local, .onion, .alt, .example, .arpa) are refused: nothing there takes mail. UTF-8 local
/// parts are accepted and flagged (the path needs SMTPUTF8), unless a character is a compatibility form of ASCII that
/// would need quoting (U+037E reads as ';'). Normalized: surrounding spaces trimmed (not tabs or line breaks: those
/// are refused), domain lower-cased, local part kept. Allocation-light: it runs on every row of a bulk import.
/// </summary>
public static class EmailAddressValidator
{
    private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

    public static EmailAddressCheck Check(string? input)
    {
        var text = input?.Trim(' ') ?? "";
        if (text.Length == 0)
            return EmailAddressCheck.Invalid("required", "an email address is required");
        if (text.Length > 512)
            return EmailAddressCheck.Invalid("too_long", $"is {text.Length} characters; an address has at most 254 octets (RFC 5321 §4.5.3.1.3)");
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                return EmailAddressCheck.Invalid("contains_whitespace", "contains a space or control character");
        }
        if (text.Contains('(') || text.Contains(')'))
            return EmailAddressCheck.Invalid("comment_not_allowed", "contains a comment in parentheses (RFC 5322 CFWS); give the bare address");
        if (text.StartsWith('"'))
            return EmailAddressCheck.Invalid("quoted_local_part", "has a quoted local part; valid in RFC 5322 but refused by mailbox providers and MailWizz");
        if (text.Contains('<') || text.Contains('>'))
            return EmailAddressCheck.Invalid("display_name_not_allowed", "contains angle brackets; give the bare address, not \"Name <address>\"");

        var at = text.LastIndexOf('@');
        if (at < 0)
            return EmailAddressCheck.Invalid("missing_at", "has no @");
        if (text.IndexOf('@') != at)
            return EmailAddressCheck.Invalid("multiple_at", "has more than one @ outside quotes");
        var local = text[..at];
        var domain = text.AsSpan(at + 1);
        if (local.Length == 0)
            return EmailAddressCheck.Invalid("missing_local_part", "has nothing before the @");
        if (domain.IsEmpty)
            return EmailAddressCheck.Invalid("missing_domain", "has nothing after the @");

        var localCheck = CheckLocal(local, out var flags);
        if (localCheck is not null)
            return localCheck;

        if (domain[0] == '[')
            return EmailAddressCheck.Invalid("ip_literal_domain", "uses an IP-literal domain ([…]); mail to bare IPs is refused by providers");
        var verdict = Domains.Of(domain);
        if (verdict.Ascii is null)
            return EmailAddressCheck.Invalid(verdict.Code!, verdict.Reason!);

        var normalized = domain.SequenceEqual(verdict.Ascii) ? text : $"{local}@{verdict.Ascii}";
        var octets = Encoding.UTF8.GetByteCount(normalized);
        if (octets > 254)
            return EmailAddressCheck.Invalid("too_long", $"is {octets} octets; an address has at most 254 (RFC 5321 §4.5.3.1.3)");

        if (RoleAccounts.IsRole(local))
            flags |= EmailFlags.RoleAccount;
        if (verdict.Disposable)
            flags |= EmailFlags.DisposableDomain;
        return new EmailAddressCheck(true, normalized, null, null, flags, verdict.Unicode);
    }

    /// <summary>
    /// What a domain part comes to, remembered: a bulk import meets the same few thousand domains millions of times,
    /// and normalizing one (IDN, labels) costs more than the rest of the check. Bounded; beyond it, computed each time.
    /// </summary>
    private static class Domains
    {
        private const int Capacity = 50_000;
        private static readonly ConcurrentDictionary<string, DomainVerdict> Known = new(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<string, DomainVerdict>.AlternateLookup<ReadOnlySpan<char>> KnownBySpan =
            Known.GetAlternateLookup<ReadOnlySpan<char>>();

        public static DomainVerdict Of(ReadOnlySpan<char> domain)
        {
            if (KnownBySpan.TryGetValue(domain, out var known))
                return known;
            var text = domain.ToString();
            var verdict = Compute(text);
            if (Known.Count < Capacity)
                Known.TryAdd(text, verdict);
            return verdict;
        }

        private static DomainVerdict Compute(string domain)
        {
            if (!Hostname.TryNormalize(domain, out var ascii, out var reason) || domain.EndsWith('.'))
                return new DomainVerdict(null, "invalid_domain", $"domain '{domain}' {(domain.EndsWith('.') ? "ends with a dot" : reason)}", false, null);
            if (DomainLabels.Problem(ascii) is { } problem)
                return new DomainVerdict(null, problem.Code, $"domain '{domain}' {problem.Reason}", false, null);
            var unicode = ascii.Contains("xn--", StringComparison.Ordinal) ? DomainLabels.Unicode(ascii) : null;
            return new DomainVerdict(ascii, null, null, DisposableDomains.Contains(ascii), unicode);
        }
    }

    private sealed record DomainVerdict(string? Ascii, string? Code, string? Reason, bool Disposable, string? Unicode);

    /// <summary>The ASCII a character folds to under NFKC (U+037E → ';', U+FF20 → '@'), or null when it stays non-ASCII.</summary>
    private static string? AsciiLookAlike(Rune rune)
    {
        var folded = rune.ToString().Normalize(NormalizationForm.FormKC);
        return folded.All(char.IsAscii) ? folded : null;
    }

    private static EmailAddressCheck? CheckLocal(string local, out EmailFlags flags)
    {
        flags = EmailFlags.None;
        var octets = Encoding.UTF8.GetByteCount(local);
        if (octets > 64)
            return EmailAddressCheck.Invalid("local_part_too_long", $"local part is {octets} octets; the limit is 64 (RFC 5321 §4.5.3.1.1)");
        if (local[0] == '.')
            return EmailAddressCheck.Invalid("local_part_leading_dot", "local part starts with a dot");
        if (local[^1] == '.')
            return EmailAddressCheck.Invalid("local_part_trailing_dot", "local part ends with a dot");
        if (local.Contains("..", StringComparison.Ordinal))
            return EmailAddressCheck.Invalid("local_part_consecutive_dots", "local part has two dots in a row");
        foreach (var rune in local.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                var c = (char)rune.Value;
                if (!char.IsAsciiLetterOrDigit(c) && c != '.' && !AtextSpecials.Contains(c))
                    return EmailAddressCheck.Invalid("local_part_invalid_character", $"local part contains '{c}', which needs quoting");
            }
            else if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                     or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator)
            {
                return EmailAddressCheck.Invalid("local_part_invalid_character", $"local part contains U+{rune.Value:X4}, which is not allowed");
            }
            else if (AsciiLookAlike(rune) is { } ascii && ascii.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '.' && !AtextSpecials.Contains(c)))
            {
                return EmailAddressCheck.Invalid("local_part_invalid_character",
                    $"local part contains U+{rune.Value:X4}, a form of '{ascii}', which needs quoting");
            }
            else
            {
                flags |= EmailFlags.SmtpUtf8; // RFC 6531: fine, but the whole path then needs SMTPUTF8
            }
        }
        return null;
    }
}
