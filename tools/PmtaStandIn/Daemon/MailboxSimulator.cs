using System.Text;

namespace PmtaStandIn.Daemon;

/// <summary>The remote server's answer to one delivery attempt; a delivered message may later draw a complaint.</summary>
public sealed record RemoteReply(string Text, TimeSpan? ComplaintAfter)
{
    public int Code => int.Parse(Text.AsSpan(0, 3));
    public bool Accepted => Text[0] == '2';
    public bool Permanent => Text[0] == '5';
}

/// <summary>
/// Mailbox providers per recipient domain, as the scenario describes them. Decisions are pure functions of the seed,
/// the recipient and the attempt number (so reruns agree), except the "too fast" limit, which counts what each provider
/// accepted from each source IP in the last hour.
/// </summary>
public sealed class MailboxSimulator(Scenario scenario, DateTimeOffset clockStart)
{
    private readonly Dictionary<string, SendHistory> _acceptedPerProviderIp = [];

    public RemoteReply Attempt(SpoolEntry entry, string vmta, string sourceIp, int attempt, DateTimeOffset now)
    {
        var provider = scenario.Providers.FirstOrDefault(p => p.Domains.Contains(entry.Domain, StringComparer.OrdinalIgnoreCase))
            ?? new MailboxProvider { Name = entry.Domain };
        var profile = EffectiveProfile(provider, entry, vmta, sourceIp, (int)Math.Floor((now - clockStart).TotalDays));
        var texts = new ProviderTexts(provider.Style, entry.Rcpt, sourceIp);

        if (Draw("mailbox", entry.Rcpt) < (profile.HardBounce ?? 0))
            return new RemoteReply(texts.UserUnknown, null);
        var u = Draw("attempt", entry.Rcpt, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var block = profile.Block ?? 0;
        var soft = block + (profile.SoftBounce ?? 0);
        var deferral = soft + (profile.Deferral ?? 0);
        if (u < block)
            return new RemoteReply(texts.Blocked, null);
        if (u < soft)
            return new RemoteReply(texts.MailboxFull, null);
        if (u < deferral)
            return new RemoteReply(texts.Deferred, null);

        var key = $"{provider.Name}|{sourceIp}";
        var accepted = _acceptedPerProviderIp.TryGetValue(key, out var history) ? history : _acceptedPerProviderIp[key] = new SendHistory();
        if (profile.MaxPerHourPerIp is > 0 and var limit && accepted.CountSince(now - TimeSpan.FromHours(1)) >= limit)
            return new RemoteReply(texts.Deferred, null);
        accepted.Record(now, retention: TimeSpan.FromHours(1));
        var complains = Draw("complaint", entry.Rcpt, entry.Id) < (profile.Complaint ?? 0);
        var delay = profile.ComplaintDelay is { } d ? ConfigValues.ParseInterval(d) ?? TimeSpan.FromMinutes(20) : TimeSpan.FromMinutes(20);
        return new RemoteReply(texts.Accepted(entry.Id), complains ? delay : null);
    }

    private ProviderProfile EffectiveProfile(MailboxProvider provider, SpoolEntry entry, string vmta, string sourceIp, int day)
    {
        var profile = scenario.Default.With(provider.Profile);
        foreach (var rule in scenario.Rules)
        {
            bool Is(string? wanted, string actual) => wanted is null || wanted.Equals(actual, StringComparison.OrdinalIgnoreCase);
            if (Is(rule.Provider, provider.Name) && Is(rule.Domain, entry.Domain) && Is(rule.Vmta, vmta) && Is(rule.SourceIp, sourceIp)
                && (rule.FromDay is null || day >= rule.FromDay) && (rule.ToDay is null || day <= rule.ToDay)
                && (rule.LocalPartPrefix is null || entry.Rcpt.StartsWith(rule.LocalPartPrefix, StringComparison.OrdinalIgnoreCase))
                && (rule.Header is null || entry.Headers.Any(h => h.Name.Equals(rule.Header, StringComparison.OrdinalIgnoreCase) && Is(rule.HeaderValue, h.Value))))
                profile = profile.With(rule.Set);
        }
        return profile;
    }

    /// <summary>A uniform number in [0, 1) from the seed and the given parts (FNV-1a, stable across runs and platforms).</summary>
    private double Draw(params string[] parts)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes($"{scenario.Seed}|{string.Join('|', parts)}"))
            hash = (hash ^ b) * 1099511628211UL;
        hash ^= hash >> 33; // FNV's low bits mix poorly; fold the high bits in before scaling
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return (hash >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>Reply texts modelled on what the big providers really answer.</summary>
public readonly record struct ProviderTexts(string Style, string Rcpt, string SourceIp)
{
    public string UserUnknown => Style switch
    {
        "gmail" => "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser - gsmtp",
        "yahoo" => "554 5.1.1 delivery error: dd This user doesn't have a yahoo.com account (" + Rcpt + ") [0] - mta1042.mail.gq1.yahoo.com",
        "microsoft" => "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found [BN1NAM02FT012.eop-nam02.prod.protection.outlook.com]",
        _ => $"550 5.1.1 <{Rcpt}>: Recipient address rejected: User unknown in virtual mailbox table",
    };

    public string MailboxFull => Style switch
    {
        "gmail" => "452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp",
        "yahoo" => "452 4.2.2 Mailbox full - mta1042.mail.gq1.yahoo.com",
        _ => $"452 4.2.2 <{Rcpt}>: Mailbox full, quota exceeded",
    };

    public string Blocked => Style switch
    {
        "gmail" => "550-5.7.1 [" + SourceIp + "] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. - gsmtp",
        "yahoo" => "553 5.7.1 [BL21] Connections will not be accepted from " + SourceIp + ", because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes",
        "microsoft" => "550 5.7.1 Unfortunately, messages from [" + SourceIp + "] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
        _ => "550 5.7.1 Service unavailable; Client host [" + SourceIp + "] blocked using zen.spamhaus.org",
    };

    public string Deferred => Style switch
    {
        "gmail" => "421-4.7.28 [" + SourceIp + "] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. - gsmtp",
        "yahoo" => "421 4.7.0 [TSS04] Messages from " + SourceIp + " temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
        "microsoft" => "421 4.7.0 Temporary server error. Please try again later. PRX4 [" + SourceIp + "]",
        _ => "421 4.7.0 Try again later, closing connection",
    };

    public string Accepted(string id) => Style == "gmail" ? $"250 2.0.0 OK {id} - gsmtp" : $"250 2.0.0 Ok: queued as {id}";
}
