using System.Text.RegularExpressions;

namespace EmailEngine.Deliverability;

public enum BounceClass { Hard, Soft, Block, Complaint, Other }

/// <summary>
/// Classifies bounces, deferrals and complaints for suppression and warmup. Order of evidence, first match wins:
/// <list type="number">
/// <item>record type <c>f</c> (feedback loop) → complaint;</item>
/// <item>provider diagnostic texts (Gmail, Microsoft, Yahoo/AOL, Apple, Orange, …): they name reputation and
///   authentication blocks that generic codes hide (a Gmail 550 5.7.26 is a DMARC failure, not a bad mailbox);</item>
/// <item>PowerMTA's <c>bounceCat</c>;</item>
/// <item>the RFC 3463 enhanced status code (class.subject.detail).</item>
/// </list>
/// <c>block</c> never blames the recipient: it counts against the sending IP.
/// </summary>
public static partial class BounceClassifier
{
    private sealed record Rule(Regex Pattern, BounceClass Class, string Why);

    /// <summary>Patterns are lower-case and matched case-sensitively against the lower-cased text: one lower-casing per
    /// record instead of case-folding inside every rule (the classifier ran 3× slower with IgnoreCase).</summary>
    private static Rule R(string pattern, BounceClass @class, string why) =>
        new(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled), @class, why);

    /// <summary>Provider-specific texts, most specific first.</summary>
    private static readonly Rule[] ProviderRules =
    [
        R(@"5\.7\.2[3-7]|dmarc|\bspf\b|\bdkim\b|unauthenticated|not authenticated|authentication (failed|required)", BounceClass.Block, "authentication (SPF/DKIM/DMARC)"),
        R(@"reverse (host ?name|dns)|\bptr\b|\brdns\b|client host rejected", BounceClass.Block, "sending IP identity (PTR/rDNS)"),
        R(@"4\.7\.28|4\.7\.0.*(rate|unusual)|rate[- ]limit|too many (messages|connections|sessions)|throttl|try again later.*(rate|volume)", BounceClass.Block, "rate limited for this IP"),
        R(@"\bts[sm]0\d\b|\[tss\d+\]|\[ts0\d\]|\[ph0\d\]|\(dyn:t\d\)", BounceClass.Block, "Yahoo/AOL temporary block of the IP"),
        R(@"\bs3150\b|\bs3140\b|\bs3115\b|5\.7\.606|5\.7\.511|\b4\.7\.[56]\d\d\b|\b(rp|sc|ou)-00\d\b|banned sending ip|blocked using|part of their network is on our block list", BounceClass.Block, "Microsoft IP block"),
        R(@"\bofr00\d|service refuse|refus[ée] pour raison|veuillez essayer plus tard", BounceClass.Block, "Orange/French ISP reputation block"),
        R(@"spamhaus|spamcop|barracuda|\brbl\b|dnsbl|blacklist|block ?list|blocklisted|listed (at|on|in)|ipcheck\.proofpoint\.com", BounceClass.Block, "IP on a block list"),
        R(@"5\.7\.1.*(spam|reputation|policy|not allowed|rejected)|spam|reputation|unsolicited|junk mail|message (was )?blocked|content rejected|suspicious|reject due to policy (restrictions|violations)|envelope blocked", BounceClass.Block, "spam or policy block"),
        R(@"mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|insufficient (system )?storage|4\.2\.2|5\.2\.2|boite pleine|boîte pleine|mailbox size limit", BounceClass.Soft, "mailbox full"),
        R(@"greylist", BounceClass.Soft, "greylisting (retried later)"),
        R(@"sender address rejected", BounceClass.Other, "our sender (return-path) address rejected, not the recipient"),
        R(@"5\.1\.1|5\.1\.10|user (is )?unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn'?t exist|not found|invalid (recipient|mailbox|address)|recipient (address )?rejected|mailbox unavailable|address rejected|inexistant|n'existe pas|user not found|account (has been )?(disabled|deactivated|closed)|inactive|delivery error: dd (this user doesn'?t have an? \S+ account|\S+ is no longer valid)|this mailbox is disabled|archived recipient", BounceClass.Hard, "unknown or disabled mailbox"),
        R(@"5\.1\.2|host (or domain name )?not found|domain (does not exist|not found)|no mx|nxdomain|nonexistent ?domain|unrouteable|unroutable", BounceClass.Hard, "domain cannot receive mail"),
    ];

    private static readonly Dictionary<string, BounceClass> Categories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bad-mailbox"] = BounceClass.Hard, ["bad-domain"] = BounceClass.Hard, ["inactive-mailbox"] = BounceClass.Hard,
        ["quota-issues"] = BounceClass.Soft, ["no-answer-from-host"] = BounceClass.Soft, ["bad-connection"] = BounceClass.Soft,
        ["routing-errors"] = BounceClass.Soft, ["message-expired"] = BounceClass.Soft,
        ["spam-related"] = BounceClass.Block, ["virus-related"] = BounceClass.Block, ["content-related"] = BounceClass.Block,
        ["policy-related"] = BounceClass.Block,
        ["invalid-sender"] = BounceClass.Other, ["relaying-issues"] = BounceClass.Other, ["protocol-errors"] = BounceClass.Other,
        ["bad-configuration"] = BounceClass.Other, ["other"] = BounceClass.Other,
    };

    [GeneratedRegex(@"\b([245])\.(\d{1,3})\.(\d{1,3})\b")]
    private static partial Regex EnhancedStatus();

    /// <summary>A classification already made for exactly these inputs (immutable, so the cache needs no lock).</summary>
    private sealed record Seen(string Type, string? BounceCat, string? DsnStatus, string? Diagnostic, BounceClass Class, string Why);

    /// <summary>
    /// Direct-mapped cache of recent classifications: deferral storms and provider bounces repeat the same text
    /// thousands of times, and a hash lookup is far cheaper than the rules. Texts with unique parts simply miss.
    /// </summary>
    private static readonly Seen?[] Recent = new Seen?[4096];

    public static (BounceClass Class, string Why) Classify(string type, string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        if (type == "f")
            return (BounceClass.Complaint, "feedback-loop complaint");
        var slot = (int)((uint)HashCode.Combine(type, bounceCat, dsnStatus, diagnostic) % (uint)Recent.Length);
        if (Recent[slot] is { } seen && seen.Type == type && seen.BounceCat == bounceCat && seen.DsnStatus == dsnStatus && seen.Diagnostic == diagnostic)
            return (seen.Class, seen.Why);
        var (@class, why) = ByRules(bounceCat, dsnStatus, diagnostic);
        Recent[slot] = new Seen(type, bounceCat, dsnStatus, diagnostic, @class, why);
        return (@class, why);
    }

    private static (BounceClass Class, string Why) ByRules(string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        var text = $"{dsnStatus} {diagnostic}".ToLowerInvariant();
        foreach (var rule in ProviderRules)
            if (rule.Pattern.IsMatch(text))
                return (rule.Class, rule.Why);
        if (bounceCat is not null && Categories.TryGetValue(bounceCat, out var byCategory))
            return (byCategory, $"bounceCat {bounceCat}");
        if (EnhancedStatus().Match(text) is { Success: true } code)
            return code.Groups[1].Value switch
            {
                "4" => (BounceClass.Soft, $"transient status {code.Value}"),
                "5" when code.Groups[2].Value == "1" => (BounceClass.Hard, $"addressing status {code.Value}"),
                "5" when code.Groups[2].Value == "2" => (code.Groups[3].Value == "2" ? BounceClass.Soft : BounceClass.Hard, $"mailbox status {code.Value}"),
                "5" when code.Groups[2].Value == "7" => (BounceClass.Block, $"security/policy status {code.Value}"),
                _ => (BounceClass.Other, $"status {code.Value}"),
            };
        return (BounceClass.Other, "no rule matched");
    }
}
