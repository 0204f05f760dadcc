namespace EmailEngine.MailWizz;

public enum MailWizzErrorKind { Validation, NotFound, Conflict, Auth, Unavailable, Refused }

/// <summary>
/// A MailWizz error as a value. MailWizz translates its messages per account language, so callers branch on
/// <see cref="Kind"/> (from the HTTP status), never on message text.
/// </summary>
/// <param name="HeldBack">The client itself held the request back (circuit open, client-side rate limit): nothing
/// reached MailWizz, so the caller should wait rather than count a failed attempt.</param>
public sealed record MailWizzError(MailWizzErrorKind Kind, string Message, IReadOnlyDictionary<string, string>? Fields = null,
    TimeSpan? RetryAfter = null, bool HeldBack = false)
{
    /// <summary>Worth retrying later: the remote side was down, overloaded or rate limiting.</summary>
    public bool IsTransient => Kind == MailWizzErrorKind.Unavailable;

    public override string ToString() => Fields is { Count: > 0 }
        ? $"{Kind}: {Message} ({string.Join("; ", Fields.Select(f => $"{f.Key}: {f.Value}"))})"
        : $"{Kind}: {Message}";
}

public readonly record struct MailWizzResult<T>
{
    private MailWizzResult(T? value, MailWizzError? error) => (Value, Error) = (value, error);

    public T? Value { get; }
    public MailWizzError? Error { get; }
    public bool IsSuccess => Error is null;

    public static implicit operator MailWizzResult<T>(T value) => new(value, null);
    public static implicit operator MailWizzResult<T>(MailWizzError error) => new(default, error);
}

public readonly record struct None;
