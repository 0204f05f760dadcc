using System.Collections.Frozen;

namespace EmailEngine.Contacts.Validation;

/// <summary>
/// Well-known throw-away mailbox services. Flagged, not refused: the operator decides (a frozen set loaded once).
/// The list covers the high-volume services; it is not exhaustive.
/// </summary>
public static class DisposableDomains
{
    private static readonly FrozenSet<string> Domains = new[]
    {
        "0-mail.com", "10minutemail.com", "10minutemail.net", "20minutemail.com", "33mail.com", "anonbox.net", "binkmail.com",
        "bobmail.info", "burnermail.io", "chacuo.net", "discard.email", "discardmail.com", "dispostable.com", "dropmail.me",
        "emailondeck.com", "fakeinbox.com", "fakemail.net", "getairmail.com", "getnada.com", "guerrillamail.biz",
        "guerrillamail.com", "guerrillamail.de", "guerrillamail.info", "guerrillamail.net", "guerrillamail.org",
        "guerrillamailblock.com", "harakirimail.com", "incognitomail.org", "inboxbear.com", "jetable.org", "mailcatch.com",
        "maildrop.cc", "mailinator.com", "mailinator.net", "mailinator2.com", "mailnesia.com", "mailnull.com", "mailsac.com",
        "mailtemp.net", "mintemail.com", "moakt.com", "mohmal.com", "mytemp.email", "mytrashmail.com", "nada.email",
        "onetimeemail.net", "sharklasers.com", "spam4.me", "spambog.com", "spambox.us", "spamgourmet.com", "spamex.com",
        "temp-mail.io", "temp-mail.org", "tempail.com", "tempinbox.com", "tempmail.com", "tempmail.dev", "tempmail.net",
        "tempmailo.com", "tempr.email", "throwawaymail.com", "trash-mail.com", "trashmail.com", "trashmail.de", "trashmail.net",
        "trbvm.com", "wegwerfmail.de", "wegwerfmail.net", "yopmail.com", "yopmail.fr", "yopmail.net", "zetmail.com",
        "emailfake.com", "fakemailgenerator.com", "mail.tm", "grr.la", "pokemail.net", "spamthisplease.com", "tmail.ws",
        "tmpmail.org", "tmpmail.net", "mailpoof.com", "instantemailaddress.com", "disposablemail.com", "dispomail.eu",
        "cool.fr.nf", "jetable.fr.nf", "courriel.fr.nf", "moncourrier.fr.nf", "monemail.fr.nf", "monmail.fr.nf", "mail-temporaire.fr",
        "email-temporaire.fr", "yopmail.org", "crazymailing.com", "mvrht.net", "emltmp.com", "tempmailaddress.com",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    public static bool Contains(string asciiDomain) => Domains.Contains(asciiDomain);
}
