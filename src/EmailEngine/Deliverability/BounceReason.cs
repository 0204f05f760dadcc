namespace EmailEngine.Deliverability;

public enum BounceClass { Hard, Soft, Block, Complaint, Other }

/// <summary>
/// Why a message bounced or was deferred, in sisimai's vocabulary (libsisimai.org/en/reason), so that our judgements
/// can be compared with a public, maintained corpus. Each reason belongs to one <see cref="BounceClass"/>.
/// </summary>
public enum BounceReason
{
    // hard: the address will never work
    UserUnknown, HostUnknown, HasMoved, Suspend, NotAccept,
    // soft: the recipient's side, temporarily
    MailboxFull, ExceedLimit, Expired, NetworkError, SystemError, SystemFull, TooManyConn, Speeding,
    // block: our sending IP, domain, identity or message, never the recipient's fault
    Blocked, Rejected, PolicyViolation, SpamDetected, SecurityError, AuthFailure, BadReputation, RequirePtr,
    NotCompliantRfc, MesgTooBig, ContentError, NoRelaying, SyntaxError, VirusDetected,
    Feedback,
    /// <summary>No signal at all: nothing in the record says whose problem it is.</summary>
    Undefined,
}

public static class BounceReasons
{
    public static BounceClass ClassOf(BounceReason reason) => reason switch
    {
        BounceReason.UserUnknown or BounceReason.HostUnknown or BounceReason.HasMoved or BounceReason.Suspend or BounceReason.NotAccept
            => BounceClass.Hard,
        BounceReason.MailboxFull or BounceReason.ExceedLimit or BounceReason.Expired or BounceReason.NetworkError or BounceReason.SystemError
            or BounceReason.SystemFull or BounceReason.TooManyConn or BounceReason.Speeding => BounceClass.Soft,
        BounceReason.Feedback => BounceClass.Complaint,
        BounceReason.Undefined => BounceClass.Other,
        _ => BounceClass.Block,
    };

    /// <summary>sisimai's spelling: lower case, one word.</summary>
    public static string Name(BounceReason reason) => reason.ToString().ToLowerInvariant();
}
