using System.Text.RegularExpressions;

namespace PmtaStandIn.Daemon;

/// <summary>
/// PowerMTA's stock `&lt;bounce-category-patterns&gt;` (reference §2.5), evaluated in order over "STATUS;REPLY":
/// text rules before enhanced-code rules, first match wins, `other` last. Also the dsnStatus text of RFC 3463 codes.
/// </summary>
public static partial class BounceCategories
{
    private static readonly (Regex Pattern, string Category)[] Rules = new (string, string)[]
    {
        ("spam", "spam-related"), ("junk mail", "spam-related"), ("blacklist", "spam-related"), ("blocked", "spam-related"),
        (@"\bU\.?C\.?E\.?\b", "spam-related"), (@"\bAdv(ertisements?)?\b", "spam-related"), ("unsolicited", "spam-related"),
        (@"\b(open)?RBL\b", "spam-related"), ("realtime blackhole", "spam-related"),
        (@"\bvirus\b", "virus-related"),
        ("message +content", "content-related"), ("content +rejected", "content-related"),
        ("quota", "quota-issues"), ("limit exceeded", "quota-issues"), ("mailbox +(is +)?full", "quota-issues"), (@"\bstorage\b", "quota-issues"),
        (@"(user|mailbox|recipient|rcpt|account) +(is +)?(disabled|expired|inactive|not active)", "inactive-mailbox"),
        (@"(no such|bad|invalid|unknown|illegal|unavailable) +(local +)?(user|mailbox|recipient|rcpt|address|account)", "bad-mailbox"),
        (@"\brelay(ing)?", "relaying-issues"),
        (@"domain +(retired|bad|invalid|unknown|illegal|unavailable)", "bad-domain"),
        ("denied|prohibit|rejected|refused|allowed|banned|policy|suspicious activity", "policy-related"),
        ("bad sequence|syntax error", "protocol-errors"),
        (@"\broute\b|\bunroutabl?e\b", "routing-errors"),
        (@"^2\.\d+\.\d+;", "success"), (@"^[45]\.1\.[1346];", "bad-mailbox"), (@"^[45]\.1\.2", "bad-domain"), (@"^[45]\.1\.[78];", "invalid-sender"),
        (@"^[45]\.2\.0;", "bad-mailbox"), (@"^[45]\.2\.1;", "inactive-mailbox"), (@"^[45]\.2\.2;", "quota-issues"), (@"^[45]\.3\.3;", "content-related"),
        (@"^[45]\.3\.5;", "bad-configuration"), (@"^[45]\.4\.1;", "no-answer-from-host"), (@"^[45]\.4\.2;", "bad-connection"),
        (@"^[45]\.4\.[36];", "routing-errors"), (@"^[45]\.4\.7;", "message-expired"), (@"^[45]\.5\.3;", "policy-related"),
        (@"^[45]\.5\.\d+;", "protocol-errors"), (@"^[45]\.6\.\d+;", "content-related"), (@"^[45]\.7\.[012];", "policy-related"),
        (@"^[45]\.7\.7;", "content-related"),
    }.Select(r => (new Regex(r.Item1, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), r.Item2)).ToArray();

    [GeneratedRegex(@"^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})")]
    private static partial Regex EnhancedCode();

    /// <summary>The reply's enhanced status code, or `X.0.0` from its basic code when it has none.</summary>
    public static string StatusCode(string reply) =>
        EnhancedCode().Match(reply) is { Success: true } m ? m.Groups[1].Value : $"{reply[0]}.0.0";

    public static string Classify(string reply)
    {
        var subject = $"{StatusCode(reply)};{reply}";
        return Rules.FirstOrDefault(r => r.Pattern.IsMatch(subject)).Category ?? "other";
    }

    /// <summary>dsnStatus as PowerMTA writes it: `5.1.1 (bad destination mailbox address)`.</summary>
    public static string DsnStatus(string code)
    {
        var text = code[2..] switch
        {
            "0.0" => code[0] == '2' ? "success" : "other undefined status",
            "1.1" => "bad destination mailbox address",
            "2.2" => "mailbox full",
            "4.7" => "delivery time expired",
            "7.1" => "delivery not authorized, message refused",
            var rest => rest[0] switch
            {
                '1' => "addressing status",
                '2' => "mailbox status",
                '3' => "mail system status",
                '4' => "network and routing status",
                '5' => "mail delivery protocol status",
                '6' => "message content or media status",
                '7' => "security or policy status",
                _ => "other undefined status",
            },
        };
        return $"{code} ({text})";
    }
}
