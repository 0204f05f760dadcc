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

    private static Rule R(string pattern, BounceClass @class, string why) =>
        new(new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled), @class, why);

    /// <summary>Provider-specific texts, most specific first.</summary>
    private static readonly Rule[] ProviderRules =
    [
        R(@"5\.7\.2[3-7]|dmarc|\bspf\b|\bdkim\b|unauthenticated|not authenticated|authentication (failed|required)", BounceClass.Block, "authentication (SPF/DKIM/DMARC)"),
        R(@"reverse (host ?name|dns)|\bptr\b|\brdns\b|client host rejected", BounceClass.Block, "sending IP identity (PTR/rDNS)"),
        R(@"4\.7\.28|4\.7\.0.*(rate|unusual)|rate[- ]limit|too many (messages|connections)|throttl|try again later.*(rate|volume)", BounceClass.Block, "rate limited for this IP"),
        R(@"\bTS[SM]0\d\b|\[TSS\d+\]", BounceClass.Block, "Yahoo/AOL temporary block of the IP"),
        R(@"\bS3150\b|\bS3140\b|\bS3115\b|5\.7\.606|5\.7\.511|banned sending ip|blocked using|part of their network is on our block list", BounceClass.Block, "Microsoft IP block"),
        R(@"\bOFR00\d|service refuse|refus[ée] pour raison|veuillez essayer plus tard", BounceClass.Block, "Orange/French ISP reputation block"),
        R(@"spamhaus|spamcop|barracuda|\brbl\b|dnsbl|blacklist|block ?list|blocklisted|listed (at|on|in)", BounceClass.Block, "IP on a block list"),
        R(@"5\.7\.1.*(spam|reputation|policy|not allowed|rejected)|spam|reputation|unsolicited|junk mail|message (was )?blocked|content rejected|suspicious", BounceClass.Block, "spam or policy block"),
        R(@"mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|insufficient (system )?storage|4\.2\.2|5\.2\.2|boite pleine|boîte pleine|mailbox size limit", BounceClass.Soft, "mailbox full"),
        R(@"5\.1\.1|5\.1\.10|user (is )?unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn'?t exist|not found|invalid (recipient|mailbox|address)|recipient (address )?rejected|mailbox unavailable|address rejected|inexistant|n'existe pas|user not found|account (has been )?(disabled|deactivated|closed)|inactive", BounceClass.Hard, "unknown or disabled mailbox"),
        R(@"5\.1\.2|host (or domain name )?not found|domain (does not exist|not found)|no mx|nxdomain|unrouteable|unroutable", BounceClass.Hard, "domain cannot receive mail"),
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

    public static (BounceClass Class, string Why) Classify(string type, string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        if (type == "f")
            return (BounceClass.Complaint, "feedback-loop complaint");
        var text = $"{dsnStatus} {diagnostic}";
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
