namespace EmailEngine.Contacts.Validation;

/// <summary>
/// Local parts that reach a team or a system rather than a person (RFC 2142 and common practice). Mailing them
/// marketing raises complaint rates; they are flagged, not refused. A <c>+tag</c> suffix is ignored.
/// </summary>
public static class RoleAccounts
{
    private static readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        "abuse", "admin", "administrator", "billing", "compliance", "contact", "devnull", "dns", "ftp", "help", "helpdesk",
        "hostmaster", "info", "inquiries", "it", "legal", "list", "list-request", "mail", "mailer-daemon", "marketing", "media",
        "news", "no-reply", "noc", "noreply", "null", "office", "postmaster", "press", "privacy", "root", "sales", "security",
        "spam", "support", "sysadmin", "team", "usenet", "uucp", "webmaster", "www", "hello", "jobs", "careers", "accounts",
        "accounting", "feedback", "enquiries", "bounce", "bounces", "do-not-reply", "donotreply",
    };

    public static bool IsRole(string localPart)
    {
        var plus = localPart.IndexOf('+');
        return Names.Contains(plus > 0 ? localPart[..plus] : localPart);
    }
}
