using System.Text;
using System.Text.RegularExpressions;
using R = EmailEngine.Deliverability.BounceReason;

namespace EmailEngine.Deliverability;

/// <summary>
/// Gives every bounce, deferral and complaint a <see cref="BounceReason"/> and so a <see cref="BounceClass"/>. The
/// evidence is read from the strongest to the weakest, first match wins (design and measured accuracy:
/// <c>docs/bounce-classification.md</c>):
/// <list type="number">
/// <item>record type <c>f</c> (feedback loop) → complaint;</item>
/// <item>texts about our sending identity, reputation or message (block lists, SPF/DKIM/DMARC, PTR, TLS, spam,
///   sender or relay refused, size): receivers often send these with a recipient code (a 5.1.1 rate limit, a 5.1.0
///   "sender rejected"), and blaming the recipient would suppress a real address for good;</item>
/// <item>texts of temporary recipient-side trouble (mailbox full, rate limits, timeouts, greylisting);</item>
/// <item>texts of an address or domain that does not exist, moved or was disabled;</item>
/// <item>the RFC 3463 enhanced status code, by its exact detail;</item>
/// <item>PowerMTA's <c>bounceCat</c>;</item>
/// <item>generic refusal words (denied, rejected, policy): the receiver refused us without saying why;</item>
/// <item>the enhanced code's class and subject, then the SMTP reply code;</item>
/// <item>nothing: <see cref="BounceReason.Undefined"/> (other).</item>
/// </list>
/// Text rules read the remote server's diagnostic only, never PowerMTA's dsnStatus description ("5.7.1 (delivery not
/// authorized, message refused)"), which is derived from the code and would otherwise read as a refusal text.
/// </summary>
public static partial class BounceClassifier
{
    private sealed record Rule(Regex Pattern, BounceReason Reason, string Why);

    /// <summary>Patterns are lower-case and matched case-sensitively against the lower-cased text: one lower-casing per
    /// record instead of case-folding inside every rule (three times faster than IgnoreCase). The rules are long
    /// alternations of phrases: the non-backtracking (DFA) engine reads each text once per rule, 5 to 20 times faster
    /// than the backtracking one on them, at the price of no lookarounds in the patterns.</summary>
    private static Rule T(string pattern, BounceReason reason, string why) =>
        new(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking), reason, why);

    /// <summary>Our identity, reputation or message: these override any recipient wording or code.</summary>
    private static readonly Rule[] OurSide =
    [
        T(@"5\.7\.25|4\.7\.23|reverse (host ?name|dns|lookup|address|mapping)|\bptr\b|\brdns\b|cannot find your (reverse )?hostname|hostname .{0,40}(does not|doesn'?t|did not) (resolve|match)|no (reverse|ptr)|fcrdns|forward[- ]confirmed|forward dns|helo .{0,30}(invalid|rejected|not found|does not resolve)|cannot resolve your (address|ip|host)|mismatches client ip|unverifyable sending ip|unverifiable sending ip|unresolvable relay host|dns (check|lookup) failure",
            R.RequirePtr, "sending IP identity (PTR/rDNS/HELO)"),
        T(@"5\.7\.(2[0-4]|26|30)\b|4\.7\.(2[0-7]|3[0-2])\b|dmarc|\bspf\b|\bdkim\b|domainkeys|sender policy framework|unauthenticated|not authenticated|authentication (check|result|fail)|failed (both )?(spf|dkim|authentication)|isn'?t aligned|not aligned|sender id|senderid",
            R.AuthFailure, "authentication (SPF/DKIM/DMARC)"),
        T(@"spamhaus|spamcop|barracuda|\b(open)?rbl\b|dnsbl|\brbls?\b|black ?list|block ?list|blocklisted|blacklisted|listed (at|on|by)|(is|was|been|are|ip|address|host) listed|listed as abusive|proofpoint|cloudmark|sorbs|uceprotect|spamrats|mailspike|\bpsbl\b|senderscore|sender score|reputation|realtime blackhole|\bdul\b|dynamic ip|dial-?up|residential|bad ip profile|abusive",
            R.BadReputation, "IP or domain reputation (block lists)"),
        T(@"\bs3150\b|\bs3140\b|\bs3115\b|4\.7\.28|5\.7\.(606|511|708|750)|\b(rp|sc|ou)-00\d\b|banned sending ip|banned sender|traffic not accepted from this ip|part of their network|\bts[sm]0\d\b|\[ts0\d\]|\[ph0\d\]|\[bl2\d\]|\[hm0\d\]|\[cs0\d\]|\(dyn:t\d\)|\bofr_?00[46]|\bofr_999|service refus[ée]|refus[ée] pour raison|lpn007_510|not accepted for policy reasons|reject(ed)? due to (local )?polic(y|ies)|user complaints|unexpected volume|permanently deferred|not (currently )?accepting (mail|connections|messages)? ?from (your|this) (ip|host|server)|from the following ip|use the smtp server of your isp|no access from mail server|invalid ip for sending|confirm this mail server|requires confirmation|go away|bounce attack|too many (invalid recipients|bad commands)|esmtp not accepting|not accepting connections|client blocked|unregistered domain|over ipv6|sender ip address",
            R.Blocked, "provider blocks the sending IP"),
        T(@"\bvirus|malware|infected|\btrojan|\bworm\b|ransomware|dangerous (content|attachment)",
            R.VirusDetected, "virus or malware in the message"),
        T(@"spam|unsolicited|\bjunk|bulk (e-?)?mail|\bu\.?c\.?e\b|suspicious([^r]|$)|phishing|scored (as|too)|spam ?score|mail score|content filter|message (was )?(blocked|rejected|filtered) (as|because|by)|message filtered|\bspammy|detected that this message",
            R.SpamDetected, "spam or suspicious content"),
        T(@"\btls\b|starttls|\bssl\b|encryption (required|needed)|must (issue a )?starttls|secure connection|5\.7\.(1[01]|[3-9])\b|4\.7\.(1[0-2]|[5-9])\b|authentication required|must authenticate|authentication credentials|authentication turned on|smtp authentication|authentification|incorrect authentication|don'?t authenticate|failed to authenticate|submitter failed|verification failure|not subscribed to ses|dead domain",
            R.SecurityError, "TLS or authentication required of our server"),
        T(@"relay access denied|relaying (denied|not allowed|prohibited)|relay (not permitted|denied|prohibited)|not permitted to relay|unable to relay|we do not relay|no relaying|not (a )?(gateway|relay)|open relay|relay not|5\.7\.64|as a relay|relaying mail to|not local host|not configured to relay|don'?t handle mail for|insecure mail relay|send to a non-local|allowed rcpthosts?|email address is not verified",
            R.NoRelaying, "the receiver does not relay for us"),
        T(@"sender (ip )?(address |domain |email address )?(rejected|refused|denied|invalid|unknown|not allowed|verify failed|verification failed|domain (must|does not|not found))|(sender|from|return[- ]path|envelope[- ]from|mail from) (address )?(domain )?(does not exist|not found|must resolve|not resolv|rejected|invalid|unknown|is not allowed|verification)|domain of sender|sender domain|bad sender|invalid sender|unknown sender|\b[45]\.1\.[78]\b|5\.7\.27 [^m]|unroutable sender|sender (is )?(not )?(whitelisted|authorized)|your (e-?mail )?address is (blocked|not allowed)|\bbatv\b|bogus mail from|purported responsible address|third-party dsns|unsigned dsn|from: domain|valid from|fully qualified email address|not owned by user|not pre-approved|senderfilterconfig|list of senders|[ée]metteur invalide|registered gateway user|different address or alias|recursive cname|unresolvable rfc.5321 domain|empty email address|mailbox access for|backscatter|does not accept mail from",
            R.Rejected, "our sender (return-path) address refused"),
        T(@"\brfc ?(2822|5322|822|5321|2821)([^ 0-9a-z]| [^a]|$)|rfcmessagenoncompliant|not (rfc|standards?)[- ]?compliant|non-?compliant([^ ]| [^m]|$)|duplicate (header|message-id)|multiple (from|date|subject|message-id|to)\b|multiple header|missing (a |the )?(date|from|message-id|subject)|malformed (header|message|mime)|improper use of 8-bit|8-?bit (data|character)|bare (lf|cr)|line too long|header too (long|large)|blank from|as a from",
            R.NotCompliantRfc, "message not compliant with the RFCs"),
        T(@"\b[45]\.6\.\d+\b|content (rejected|not accepted|policy)|(message|mail) content|attachment|\bmime\b|media not supported|conversion (required|failed)|executable|forbidden (file|extension)|improperly-formatted|base64|too many ""?received""?:? headers",
            R.ContentError, "message content refused"),
        T(@"syntax error|(bad|invalid) address syntax|syntax of|angle-brackets|source-routed|expected word|malformed address|unrecognized command|protocol violation|bad sequence|invalid command([^ ]| [^a]|$)|command (not )?(recognized|implemented)|\b5\.5\.[12]\b",
            R.SyntaxError, "our server's SMTP refused as malformed"),
        T(@"members-only|closed mailing list|mailing list (is )?(closed|restricted)|mass mailer|organizational settings|low priority|multiple addresses|captcha|not subscribed to this group|no data before greeting|header is too long|header error",
            R.PolicyViolation, "the receiver's rules for this kind of mail"),
        T(@"4\.7\.\d+ .{0,60}too many (connections|sessions) from",
            R.Blocked, "too many connections from our IP: a policy refusal for it"),
    ];

    /// <summary>Temporary trouble on the recipient's side: retried, never held against the address or the IP.</summary>
    private static readonly Rule[] Temporary =
    [
        T(@"greylist|graylist|grey-list|gray-list|greylisted|try again later\.? ?\(?grey|postgrey",
            R.SystemError, "greylisting (retried later)"),
        T(@"mailbox (is |was |has )?(full|over)|(is|mailbox|user|recipient|account|inbox) (is )?over ?quota|over ?quota|quota (exceeded|exceed|full|limit|usage|violation)|exceed\w* (the |its |his |her |their )?(mailbox )?(storage|quota|disk)|out of (storage|space|disk)|(not )?(enough|sufficient) (free )?(disk ?)?(space|storage)|insufficient (disk|storage) (space)?|bo[iî]te (aux lettres |du destinataire |de r[ée]ception )?(est )?pleine|boite du destinataire pleine|mailbox size limit|storage (allocation|space|limit)|disk ?(full|quota|space)|exceeds? (the )?(quota|storage|mailbox)|mailbox (would )?exceed|mailbox has exceeded|recipient overquota|overquota|\b[45]\.2\.2\b|account is full|user is over|is full|full mailbox|mail ?box full|容量|allowed quota|allowed storage|space has been used up|too much mail data|local limit|mail file size exceeds|diskspace",
            R.MailboxFull, "mailbox full"),
        T(@"mail system full|system (storage|full)|insufficient system storage|no space left|disk is full|\b[45]\.3\.1\b",
            R.SystemFull, "receiving system out of storage"),
        T(@"\b[45]\.2\.3\b|message (header )?(size|length) exceeds (the )?(administrative )?limit|size the user accepts|(too large|size limit) for (this|the) recipient|recipsizelimit|message size limits|header (name |size )?limits?",
            R.ExceedLimit, "message larger than this recipient accepts"),
        T(@"\b[45]\.3\.4\b|message (size|length|is too (big|large)|too (big|large))|too (big|large)|size (limit|exceeds|exceeded)|exceeds? (the )?(maximum|fixed|size|message size|allowed)|maximum (message )?size|file too large|mail too large|line limit exceeded|taille limite",
            R.MesgTooBig, "message too large"),
        T(@"\b4\.7\.(5\d\d|6\d\d)\b|rate[- ]?limit|too many (messages|mails|emails|recipients|rcpt|messages? sent|to too many)|sent too many|receiving mail (too quickly|at a rate)|at a rate that|rate that prevents|excessive volume|exceeded (their|its|the) limit|too fast|sending rate|throttl|slow down|limits? for how many|per (hour|minute|day|session)|(hourly|daily) (limit|quota)|daily limit|exceeded (the )?(rate|sending|message) limit|message rate|unusual rate|frequency|too often|receiv\w* limit|relay (sending )?limit|sending limit|permitted limits|threshold|max(imum)? (number of )?(emails|messages)",
            R.Speeding, "rate limited"),
        T(@"too many (connections|sessions|concurrent|simultaneous|smtp sessions)|connection (limit|rate)|max(imum)? (number of )?(connections|sessions)|max message per connection|concurrent connections|\b[45]\.4\.5\b|congestion|trop de connexions|thread limit|too many errors from",
            R.TooManyConn, "too many connections"),
        T(@"expired|time(d)? ?out|timeout|no answer|delivery time|too old|could not be delivered (within|for)|retry time|undeliverable for|been (queued|delayed) (for|too)|has been delayed|\b4\.4\.[17]\b|queue\.expired|message delayed|in the queue too long|queue period|multiple retries|numerous attempts|giving up on|failing for a long time|not been collected|past the expiration|did not respond|delivery attempts will continue|could not find a gateway|failed to deliver to domain",
            R.Expired, "timed out or expired in the queue"),
        T(@"connection (refused|reset|dropped|closed|lost|failed)|lost connection|network (error|unreachable|is unreachable)|host is unreachable|could not connect|establish an smtp connection|routing loop|mail loop|too many hops|hop count|\d+ hops|looping|loops? (back|detected)|\bloop\b|no route|unable to resolve route|\b4\.4\.[0236]\b|\b5\.4\.6\b|temporary lookup failure|dns (error|failure|timeout|lookup failed|temporary|records for)|name server|servfail|try again \(dns|no relevant answers|host name lookup failure|best-preference mx|incorrect hostname|host not found, try again",
            R.NetworkError, "network or routing trouble"),
        T(@"system (error|problem|failure|busy|unavailable)|server (error|busy|failure|unavailable)|internal (error|server|resources)|temporar(y|ily) (failure|error|unavailable|problem|rejected|deferred|not)|temporary (local|server|system)|local error|i/o error|resources? (temporarily )?unavailable|out of memory|try (again )?later|please try again|deferred|\b4\.3\.\d\b|\b5\.3\.[035]\b|\b[45]\.5\.[345]\b|service (is |currently )?(temporarily )?unavailable|not available|configuration error|config error|misconfigur|\bldap\b|homedir|interpreter|can'?t create|local delivery failed|ended early|queue file|\blmtp\b|upstream error|interrupted system call|while being processed|transaction failed|qmail-forward|too many results|unable to (process|connect|contact|login)|delivery to (file|pipe)|ambiguous|relayed to non-compliant mailer|requires domain address",
            R.SystemError, "receiving system trouble"),
    ];

    /// <summary>The address or domain cannot receive mail: suppress.</summary>
    private static readonly Rule[] AddressGone =
    [
        T(@"has moved|moved (permanently|to)|no longer (at|with|used|in use|valid at|on server)|changed (his|her|their) (e-?mail )?address|mailbox owner has changed|domain owner has changed|has been replaced by|\b5\.1\.6\b|\b5\.7\.1[78]\b",
            R.HasMoved, "address has moved"),
        T(@"(mailbox|account|user|address|recipient|e-?mail|mailaddress)\b[^.;,]{0,40}?\b(is |has been |was |been )?(currently |temporarily |temporary |now |administrativ\w* )?(disabled|suspended|deactivated|inactive|closed|terminated|locked|frozen|not active|discontinued|deleted|cancell?ed|bloqu[ée])|(disabled|suspended|deactivated|inactive|closed) (mailbox|account|user|address|recipient)|inactive (email |e-mail )?(address|account|user)|is now disabled|this mailbox is disabled|mailbox disabled|account disabled|has been suspended|currently suspended|temporary locked|suspend the service|no longer accepts mail|\b5\.2\.1\b|\b5\.7\.13\b|archived recipient|archiv[ée]e|banned recipient|account isblocked",
            R.Suspend, "mailbox disabled or suspended"),
        T(@"host (or domain name )?(not found|unknown)|unknown host|domain (does not exist|not found|unknown|name not found|is not valid|invalid|is not reachable|must exist)|(recipient|destination) domain (does not exist|not found|unknown|invalid)|find the recipient domain|no mx|\bnxdomain\b|non-?existent (domain|host)|nonexistentdomain|unrout(e)?able (address|domain)|unrouteable|name or service not known|no such (domain|host)|domain (has no|without) (mx|mail)|bad destination system|unknown domain|\b[45]\.1\.2\b|\b5\.4\.4\b|host unknown|name service error|host address lookups failed|couldn'?t find any host|account or domain may not exist|unable to route|host unreachable",
            R.HostUnknown, "domain cannot receive mail"),
        T(@"null mx|does not accept (e-?)?mail|not accepting (mail|messages|e-?mail|network messages)([^ ]| [^w]|$)|accepts no mail|no (mail|smtp) service|mail receiving disabled|no host found for existing smtp|couldn'?t find a mail exchanger|no mail-enabled|name server reply|\b5\.1\.10\b|\b[45]\.3\.2\b",
            R.NotAccept, "the domain accepts no mail"),
        T(@"\b5\.1\.1\b|\b5\.1\.3\b|user (is )?unknown|user\W+\S*\W*unknown|unknown (user|recipient|mailbox|address|local|alias|account|e.?mail|virtual)|no such (user|mailbox|recipient|address|account|person|alias|local|e-?mail)|(user|mailbox|recipient|address|account|alias)( \S+)? (does not exist|doesn'?t exist|not exist|not found|unknown|not known|invalid|unavail\w*|not valid|is not valid|no longer (exists|valid)|rejected: user|not present)|does not exist|doesn'?t exist|t exist|not (a )?(known|valid|local|active) (user|recipient|mailbox|address)|not an active address|not a valid rfc 5321 address|not our customer|invalid (recipient|mailbox|address|user|account|e-?mail)|illegal (alias|user|address)|bad (destination )?(recipient|mailbox|user)|bad destination mailbox|(recipient|rcpt) (address )?rejected|recipients? (was|were) undeliverable|rejected recipients|recipient (not found|unknown|invalid|not ok|is not (local|accepted))|refuses to accept your mail|recipient has been denied|mailbox unava\w*|mailbox not (found|available|present)|no mail ?box|not a valid (mailbox|user|recipient)|user not (found|local)|not a member of|no account|doesn'?t have an? (\S+ )?account|is no longer valid|no longer valid|inexistant|n'existe pas|inconnu|destinataire invalide|adresse (inconnue|invalide)|utilisateur inconnu|unbekannt|existiert nicht|no existe|nessun utente|non esiste|addressee unknown|resolver\.adr\.|recipnotfound|存在しません|unknown or illegal|no such address|account (not found|unavailable)|not listed in|dd this user|(could ?n[o']?t|can ?n[o']?t) be found|not found in directory|not present in directory|name directory|is not found|can'?t accept user|addresses were unknown|non[- ]?existent (user|address|mailbox|account)|not email addresses|reserved by rfc|bad ?rcpt ?to|badrecipientto|validrcptto|no one at this address|wrong or no longer|home directory|< > not found|\.\.\. blocked by",
            R.UserUnknown, "unknown mailbox"),
    ];

    /// <summary>The receiver refused without saying why: our mail, not the address.</summary>
    private static readonly Rule[] Refused =
    [
        T(@"denied|prohibit|not allowed|not permitted|refused|refuse|reject|blocked|banned|forbidden|not authori[sz]ed|unauthori[sz]ed|policy|administrative|access denied|blacklist|not accepted|declined",
            R.Rejected, "refused by the receiver's policy"),
    ];

    /// <summary>
    /// Providers that answer with a code of their own instead of words, read from sisimai's provider tables (BSD-2):
    /// Cox <c>AUP#…</c>, Facebook <c>POL-P1</c>…, i.ua <c>mail.i.ua/err/N</c>, GoDaddy <c>IB…</c>.
    /// </summary>
    private static readonly Dictionary<string, BounceReason> ProviderCodes = new()
    {
        ["aup#cxbl"] = R.Blocked, ["aup#cdrbl"] = R.Blocked, ["aup#ipbl"] = R.Blocked, ["aup#cxdns"] = R.RequirePtr,
        ["aup#cxsndr"] = R.AuthFailure, ["aup#cxsmtp"] = R.Rejected, ["aup#cxcnct"] = R.TooManyConn, ["aup#cxmxrt"] = R.TooManyConn,
        ["aup#cxthrt"] = R.SecurityError, ["aup#cxmj"] = R.SecurityError, ["aup#urlbl"] = R.SpamDetected,
        ["pol-p1"] = R.Blocked, ["pol-p2"] = R.Blocked, ["pol-p3"] = R.Blocked, ["pol-p4"] = R.Blocked, ["pol-p5"] = R.VirusDetected,
        ["pol-p6"] = R.SpamDetected, ["pol-p7"] = R.AuthFailure, ["pol-t1"] = R.Blocked, ["pol-t2"] = R.Blocked, ["pol-t3"] = R.Blocked,
        ["msg-p1"] = R.MesgTooBig, ["msg-p2"] = R.ContentError, ["msg-p3"] = R.NotCompliantRfc, ["msg-t1"] = R.TooManyConn,
        ["int-p1"] = R.UserUnknown, ["int-p2"] = R.MesgTooBig, ["int-p3"] = R.UserUnknown, ["int-p4"] = R.UserUnknown,
        ["rcp-p1"] = R.UserUnknown, ["rcp-t1"] = R.SystemError, ["rcp-t4"] = R.Suspend,
        ["dns-p1"] = R.Rejected, ["dns-p2"] = R.Rejected, ["dns-t1"] = R.Rejected, ["dns-p3"] = R.RequirePtr, ["dns-t2"] = R.RequirePtr,
        ["con-t1"] = R.TooManyConn, ["con-t2"] = R.TooManyConn, ["con-t3"] = R.TooManyConn, ["con-t4"] = R.TooManyConn,
        ["i.ua/err/1"] = R.NoRelaying, ["i.ua/err/2"] = R.UserUnknown, ["i.ua/err/3"] = R.Suspend, ["i.ua/err/4"] = R.MailboxFull,
        ["i.ua/err/5"] = R.TooManyConn, ["i.ua/err/6"] = R.NoRelaying, ["i.ua/err/7"] = R.Blocked, ["i.ua/err/8"] = R.Rejected,
        ["i.ua/err/9"] = R.Blocked,
        ["ib007"] = R.TooManyConn, ["ib101"] = R.Speeding, ["ib103"] = R.BadReputation, ["ib104"] = R.Blocked, ["ib105"] = R.Blocked,
        ["ib106"] = R.Blocked, ["ib108"] = R.RequirePtr, ["ib110"] = R.Blocked, ["ib111"] = R.Blocked, ["ib112"] = R.Blocked,
        ["ib113"] = R.Blocked, ["ib212"] = R.SpamDetected, ["ib401"] = R.SecurityError, ["ib501"] = R.NotCompliantRfc,
        ["ib502"] = R.NotCompliantRfc, ["ib504"] = R.Speeding, ["ib506"] = R.Rejected, ["ib508"] = R.AuthFailure, ["ib510"] = R.Speeding,
        ["ib605"] = R.TooManyConn, ["ib607"] = R.Speeding, ["ib705"] = R.VirusDetected,
    };

    [GeneratedRegex(@"aup#(cxbl|cdrbl|ipbl|cxdns|cxsndr|cxsmtp|cxcnct|cxmxrt|cxthrt|cxmj|urlbl)|\b(pol|msg|int|rcp|dns|con)-[pt]\d\b|i\.ua/err/\d|\bib\d{3}\b")]
    private static partial Regex ProviderCode();

    private static readonly Rule[][] TextTiers = [OurSide, Temporary];

    private static readonly Dictionary<string, BounceReason> Categories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bad-mailbox"] = R.UserUnknown, ["bad-domain"] = R.HostUnknown, ["inactive-mailbox"] = R.Suspend,
        ["quota-issues"] = R.MailboxFull, ["no-answer-from-host"] = R.Expired, ["bad-connection"] = R.NetworkError,
        ["routing-errors"] = R.NetworkError, ["message-expired"] = R.Expired,
        ["spam-related"] = R.SpamDetected, ["virus-related"] = R.VirusDetected, ["content-related"] = R.ContentError,
        ["policy-related"] = R.PolicyViolation, ["invalid-sender"] = R.Rejected, ["relaying-issues"] = R.NoRelaying,
        ["protocol-errors"] = R.SyntaxError,
    };

    /// <summary>RFC 3463 detail codes whose meaning is specific enough to decide (after sisimai's table, with the
    /// codes the issue found mis-read: 5.1.0 alone is not a recipient verdict).</summary>
    private static readonly Dictionary<string, BounceReason> Details = new()
    {
        ["1.1"] = R.UserUnknown, ["1.2"] = R.HostUnknown, ["1.3"] = R.UserUnknown, ["1.6"] = R.HasMoved,
        ["1.7"] = R.Rejected, ["1.8"] = R.Rejected, ["1.9"] = R.SystemError, ["1.10"] = R.NotAccept,
        ["2.1"] = R.Suspend, ["2.2"] = R.MailboxFull, ["2.3"] = R.ExceedLimit, ["2.4"] = R.SystemError,
        ["3.1"] = R.SystemFull, ["3.2"] = R.NotAccept, ["3.3"] = R.SystemError, ["3.4"] = R.MesgTooBig, ["3.5"] = R.SystemError,
        ["4.1"] = R.Expired, ["4.2"] = R.NetworkError, ["4.3"] = R.NetworkError, ["4.4"] = R.HostUnknown, ["4.5"] = R.TooManyConn,
        ["4.6"] = R.NetworkError, ["4.7"] = R.Expired,
        ["5.1"] = R.SyntaxError, ["5.2"] = R.SyntaxError, ["5.3"] = R.TooManyConn, ["5.4"] = R.SyntaxError, ["5.5"] = R.SyntaxError,
        ["5.6"] = R.SecurityError,
        ["7.1"] = R.Blocked, ["7.2"] = R.Blocked, ["7.3"] = R.SecurityError, ["7.4"] = R.SecurityError, ["7.5"] = R.SecurityError,
        ["7.6"] = R.SecurityError, ["7.7"] = R.SecurityError, ["7.8"] = R.SecurityError, ["7.9"] = R.SecurityError,
        ["7.10"] = R.SecurityError, ["7.11"] = R.SecurityError, ["7.12"] = R.SecurityError, ["7.13"] = R.Suspend,
        ["7.14"] = R.SecurityError, ["7.15"] = R.SecurityError, ["7.16"] = R.MesgTooBig, ["7.17"] = R.HasMoved, ["7.18"] = R.HasMoved,
        ["7.19"] = R.SecurityError, ["7.20"] = R.AuthFailure, ["7.21"] = R.AuthFailure, ["7.22"] = R.AuthFailure,
        ["7.23"] = R.AuthFailure, ["7.24"] = R.AuthFailure, ["7.25"] = R.RequirePtr, ["7.26"] = R.AuthFailure, ["7.27"] = R.Rejected,
    };

    [GeneratedRegex(@"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d]|\.\d)")]
    private static partial Regex EnhancedStatus();

    [GeneratedRegex(@"(?<![\d.])([245])[0-9]{2}(?![\d.])")]
    private static partial Regex ReplyCode();

    /// <summary>A classification already made for exactly these inputs (immutable, so the cache needs no lock).</summary>
    private sealed record Seen(string Type, string? BounceCat, string? DsnStatus, string? Diagnostic, BounceReason Reason, string Why);

    /// <summary>
    /// Direct-mapped cache of recent classifications: deferral storms and provider bounces repeat the same text
    /// thousands of times, and a hash lookup is far cheaper than the rules. Texts with unique parts simply miss.
    /// </summary>
    private static readonly Seen?[] Recent = new Seen?[4096];

    public static (BounceClass Class, string Why) Classify(string type, string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        var (reason, why) = Explain(type, bounceCat, dsnStatus, diagnostic);
        return (BounceReasons.ClassOf(reason), why);
    }

    /// <summary>The reason and the evidence it was read from, e.g. <c>userunknown: unknown mailbox (text)</c>.</summary>
    public static (BounceReason Reason, string Why) Explain(string type, string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        if (type == "f")
            return (R.Feedback, "feedback: feedback-loop complaint");
        var slot = (int)((uint)HashCode.Combine(type, bounceCat, dsnStatus, diagnostic) % (uint)Recent.Length);
        if (Recent[slot] is { } seen && seen.Type == type && seen.BounceCat == bounceCat && seen.DsnStatus == dsnStatus && seen.Diagnostic == diagnostic)
            return (seen.Reason, seen.Why);
        var (reason, why) = ByEvidence(bounceCat, dsnStatus, diagnostic);
        why = $"{BounceReasons.Name(reason)}: {why}";
        Recent[slot] = new Seen(type, bounceCat, dsnStatus, diagnostic, reason, why);
        return (reason, why);
    }

    private static (BounceReason Reason, string Why) ByEvidence(string? bounceCat, string? dsnStatus, string? diagnostic)
    {
        var text = Readable(diagnostic).ToLowerInvariant();
        if (ProviderCode().Match(text) is { Success: true } provider && ProviderCodes.TryGetValue(provider.Value, out var byProvider))
            return (byProvider, $"provider code {provider.Value}");
        foreach (var rules in TextTiers)
            foreach (var rule in rules)
                if (rule.Pattern.IsMatch(text))
                    return (rule.Reason, $"{rule.Why} (text)");

        // The remote's own code, as written in its reply, before the one PowerMTA derived for dsnStatus.
        var code = EnhancedStatus().Match(text) is { Success: true } inText ? inText
            : EnhancedStatus().Match(dsnStatus ?? "") is { Success: true } inStatus ? inStatus : null;
        var (@class, subject, detail) = code is null ? ("", "", "") : (code.Groups[1].Value, code.Groups[2].Value, code.Groups[3].Value);
        // "Invalid address" after MAIL FROM is our return path, not the recipient: the code says which.
        if (subject == "1" && detail is "7" or "8")
            return (R.Rejected, $"status {code!.Value}: our sender address");
        foreach (var rule in AddressGone)
            if (rule.Pattern.IsMatch(text))
                return (Transient(@class, rule.Reason), $"{rule.Why} (text)");
        if (code is not null && detail != "0" && Details.TryGetValue($"{subject}.{detail}", out var byDetail))
            return (Transient(@class, byDetail), $"status {code.Value}");
        if (bounceCat is not null && Categories.TryGetValue(bounceCat, out var byCategory))
            return (byCategory, $"bounceCat {bounceCat}");
        foreach (var rule in Refused)
            if (rule.Pattern.IsMatch(text))
                return (rule.Reason, $"{rule.Why} (text)");
        if (code is not null && BySubject(@class, subject) is { } bySubject)
            return (bySubject, $"status {code.Value}");
        if (ReplyCode().Match(text) is { Success: true } reply && ByReply(reply.Value) is { } byReply)
            return (byReply, $"reply {reply.Value}");
        if (code is not null && @class == "4")
            return (R.SystemError, $"status {code.Value}");
        return (R.Undefined, "no signal");
    }

    /// <summary>A recipient verdict sent with a 4xx code is not final: the receiver itself says to retry.</summary>
    private static BounceReason Transient(string @class, BounceReason reason) =>
        @class == "4" && BounceReasons.ClassOf(reason) == BounceClass.Hard ? R.SystemError : reason;

    private static BounceReason? BySubject(string @class, string subject) => (@class, subject) switch
    {
        ("5", "1") => R.UserUnknown, // 5.1.0 names an address; our sender's would have been told by its words or 5.1.7/5.1.8
        ("5", "2") => null, // 5.2.0: mailbox status, undefined
        ("4", "7") or ("5", "7") => R.SecurityError,
        (_, "6") => R.ContentError,
        ("5", "5") => R.SyntaxError,
        ("4", _) => R.SystemError,
        ("5", "3") => R.SystemError,
        ("5", "4") => R.NetworkError,
        _ => null,
    };

    /// <summary>RFC 5321's reply codes, for diagnostics without an enhanced code.</summary>
    private static BounceReason? ByReply(string reply) => reply switch
    {
        "421" or "450" or "451" or "452" or "454" => R.SystemError,
        "552" => R.MailboxFull,
        "500" or "501" or "502" or "503" or "504" or "555" => R.SyntaxError,
        "521" or "556" => R.NotAccept,
        "530" or "534" or "535" or "538" => R.SecurityError,
        "551" => R.HasMoved,
        "554" => R.Rejected,
        _ when reply[0] == '4' => R.SystemError,
        _ => null,
    };

    /// <summary>Japanese MTAs send ISO-2022-JP: 7-bit text with escape sequences that no phrase would match.</summary>
    private static string Readable(string? diagnostic)
    {
        if (string.IsNullOrEmpty(diagnostic))
            return "";
        if (!diagnostic.Contains("\u001b$B", StringComparison.Ordinal))
            return diagnostic;
        try
        {
            return Iso2022Jp.Value.GetString(Encoding.ASCII.GetBytes(diagnostic));
        }
        catch (ArgumentException)
        {
            return diagnostic;
        }
    }

    private static readonly Lazy<Encoding> Iso2022Jp = new(() =>
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("iso-2022-jp");
    });
}
