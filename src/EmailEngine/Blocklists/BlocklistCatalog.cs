using System.Net;
using static EmailEngine.Blocklists.ZoneCodeReading;

namespace EmailEngine.Blocklists;

/// <summary>
/// The maintained zones and their return codes (docs/blocklists.md; sources in the operator's monitoring reference).
/// Dead lists (SORBS, NJABL, NiX Spam, WPBL, CBL) are not here. Spamhaus is queried through the public mirror by
/// default, which needs the operator's own resolver and non-commercial use; with a DQS key it goes through
/// <c>{key}.zen.dq.spamhaus.net</c>, which works through any resolver.
/// </summary>
public static class BlocklistCatalog
{
    public static IReadOnlyList<BlocklistZone> All(string? spamhausDqsKey)
    {
        var spamhaus = spamhausDqsKey is null ? "spamhaus.org" : $"{spamhausDqsKey}.{{0}}.dq.spamhaus.net";
        string Spamhaus(string list) => spamhausDqsKey is null ? $"{list}.{spamhaus}" : string.Format(spamhaus, list);
        return
        [
            new("spamhaus-zen", Spamhaus("zen"), ZoneKind.Ip, Ipv6: true, "127.0.0.2", Zen),
            new("spamcop", "bl.spamcop.net", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("SpamCop", "reported by spam recipients; expires about 24 h after reports stop", ListingSeverity.Critical)),
            new("barracuda", "b.barracudacentral.org", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("Barracuda BRBL", "Barracuda reputation block list", ListingSeverity.Critical)),
            new("psbl", "psbl.surriel.com", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("PSBL", "hit spam traps; self-service removal", ListingSeverity.Warning)),
            new("mailspike-bl", "bl.mailspike.net", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("Mailspike BL", "Mailspike block list", ListingSeverity.Warning)),
            new("uceprotect-1", "dnsbl-1.uceprotect.net", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("UCEPROTECT L1", "this IP hit their traps; expires 7 days after the last hit", ListingSeverity.Warning)),
            new("uceprotect-2", "dnsbl-2.uceprotect.net", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("UCEPROTECT L2", "the surrounding range (informational: major providers ignore it)", ListingSeverity.Info)),
            new("uceprotect-3", "dnsbl-3.uceprotect.net", ZoneKind.Ip, Ipv6: false, "127.0.0.2", Single("UCEPROTECT L3", "the hosting provider's whole ASN (informational)", ListingSeverity.Info)),
            new("spamrats", "all.spamrats.com", ZoneKind.Ip, Ipv6: false, "127.0.0.2", SpamRats),
            new("spamhaus-dbl", Spamhaus("dbl"), ZoneKind.Domain, Ipv6: false, "dbltest.com", Dbl),
            new("surbl", "multi.surbl.org", ZoneKind.Domain, Ipv6: false, "test.surbl.org", Surbl),
            new("uribl", "multi.uribl.com", ZoneKind.Domain, Ipv6: false, "test.uribl.com", Uribl),
        ];
    }

    private static ZoneCodeReading? SpamhausErrors(string code) => code switch
    {
        "127.255.255.252" => new CheckerError("typo or unsupported zone name in the query"),
        "127.255.255.254" => new CheckerError("queried through a public or unattributable resolver: use your own resolver or a DQS key"),
        "127.255.255.255" => new CheckerError("excessive query volume (rate limited)"),
        _ => null,
    };

    private static ZoneCodeReading Zen(IPAddress answer)
    {
        var code = answer.ToString();
        return SpamhausErrors(code) ?? code switch
        {
            "127.0.0.2" => new Listing(new(code, "SBL", "direct spam source or spam operation (manual listing)", ListingSeverity.Critical)),
            "127.0.0.3" => new Listing(new(code, "SBL CSS", "snowshoe or low-reputation bulk source detected automatically", ListingSeverity.Critical)),
            "127.0.0.4" or "127.0.0.5" or "127.0.0.6" or "127.0.0.7" => new Listing(new(code, "XBL", "exploited or infected host", ListingSeverity.Critical)),
            "127.0.0.9" => new Listing(new(code, "SBL DROP", "hijacked or criminal netblock", ListingSeverity.Critical)),
            "127.0.0.10" => new Listing(new(code, "PBL (ISP)", "end-user range that should not send direct to MX", ListingSeverity.Warning)),
            "127.0.0.11" => new Listing(new(code, "PBL (Spamhaus)", "end-user range that should not send direct to MX", ListingSeverity.Warning)),
            _ => new CheckerError($"undocumented answer {code}"),
        };
    }

    private static ZoneCodeReading Dbl(IPAddress answer)
    {
        var code = answer.ToString();
        return SpamhausErrors(code) ?? code switch
        {
            "127.0.1.255" => new CheckerError("IP queries are not allowed on DBL"),
            "127.0.1.2" => new Listing(new(code, "DBL", "spam domain", ListingSeverity.Critical)),
            "127.0.1.4" => new Listing(new(code, "DBL", "phishing domain", ListingSeverity.Critical)),
            "127.0.1.5" => new Listing(new(code, "DBL", "malware domain", ListingSeverity.Critical)),
            "127.0.1.6" => new Listing(new(code, "DBL", "botnet C&C domain", ListingSeverity.Critical)),
            "127.0.1.102" or "127.0.1.103" or "127.0.1.104" or "127.0.1.105" or "127.0.1.106"
                => new Listing(new(code, "DBL abused-legit", "legitimate domain abused by spammers", ListingSeverity.Critical)),
            _ => new CheckerError($"undocumented answer {code}"),
        };
    }

    private static ZoneCodeReading SpamRats(IPAddress answer) => answer.ToString() switch
    {
        "127.0.0.36" => new Listing(new("127.0.0.36", "RATS-Dyna", "generic or dynamic-looking reverse DNS: fix the PTR", ListingSeverity.Info)),
        "127.0.0.37" => new Listing(new("127.0.0.37", "RATS-NoPtr", "no PTR record: fix the reverse DNS", ListingSeverity.Info)),
        "127.0.0.38" => new Listing(new("127.0.0.38", "RATS-Spam", "spam seen from this IP", ListingSeverity.Warning)),
        // RFC 5782's test point: listed under a code of its own.
        "127.0.0.2" => new Listing(new("127.0.0.2", "SpamRATS", "test point", ListingSeverity.Info)),
        var code => new CheckerError($"undocumented answer {code}"),
    };

    /// <summary>SURBL's last octet is a bitmask: 8 phishing, 16 malware, 64 abuse, 128 cracked; 4 and 32 are informational.</summary>
    private static ZoneCodeReading Surbl(IPAddress answer)
    {
        var bytes = answer.GetAddressBytes();
        if (answer.ToString() == "127.0.0.1")
            return new CheckerError("access blocked: SURBL refuses this resolver");
        if (bytes[0] != 127 || bytes[1] != 0 || bytes[2] != 0)
            return new CheckerError($"undocumented answer {answer}");
        var bits = bytes[3];
        var serious = new[] { (8, "PH phishing"), (16, "MW malware"), (64, "ABUSE spam"), (128, "CR cracked site") }.Where(b => (bits & b.Item1) != 0).Select(b => b.Item2).ToList();
        var informational = new[] { (4, "DM disposable"), (32, "CT click tracker") }.Where(b => (bits & b.Item1) != 0).Select(b => b.Item2).ToList();
        return serious.Count > 0 ? new Listing(new(answer.ToString(), "SURBL", string.Join(", ", serious.Concat(informational)), ListingSeverity.Warning))
            : informational.Count > 0 ? new Listing(new(answer.ToString(), "SURBL", string.Join(", ", informational), ListingSeverity.Info))
            : new CheckerError($"undocumented answer {answer}");
    }

    /// <summary>URIBL's last octet is a bitmask: 2 black, 8 red; 4 grey alone is informational.</summary>
    private static ZoneCodeReading Uribl(IPAddress answer)
    {
        var bytes = answer.GetAddressBytes();
        if (answer.ToString() == "127.0.0.1")
            return new CheckerError("query refused: URIBL refuses public resolvers");
        if (bytes[0] != 127 || bytes[1] != 0 || bytes[2] != 0 || (bytes[3] & 0b1110) == 0)
            return new CheckerError($"undocumented answer {answer}");
        var lists = new[] { (2, "black"), (4, "grey"), (8, "red") }.Where(b => (bytes[3] & b.Item1) != 0).Select(b => b.Item2).ToList();
        var severity = (bytes[3] & 0b1010) != 0 ? ListingSeverity.Warning : ListingSeverity.Info;
        return new Listing(new(answer.ToString(), "URIBL", string.Join(", ", lists), severity));
    }

    /// <summary>Lists that answer 127.0.0.2 for a listing and nothing else.</summary>
    private static Func<IPAddress, ZoneCodeReading> Single(string sublist, string meaning, ListingSeverity severity) => answer =>
        answer.ToString() == "127.0.0.2" ? new Listing(new("127.0.0.2", sublist, meaning, severity)) : new CheckerError($"undocumented answer {answer}");
}
