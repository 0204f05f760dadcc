namespace EmailEngine.Http;

/// <summary>Why an operation did not succeed; mapped to RFC 9457 problem details in one place.</summary>
public abstract record Failure(string Detail)
{
    public sealed record Validation(IReadOnlyDictionary<string, string[]> Errors, string Detail = "One or more fields are invalid.", int Status = 400) : Failure(Detail);
    public sealed record NotFound(string Detail) : Failure(Detail);
    public sealed record Conflict(string Detail, IReadOnlyDictionary<string, string[]>? Errors = null) : Failure(Detail);
    public sealed record Forbidden(string Detail) : Failure(Detail);
    public sealed record Unavailable(string Detail) : Failure(Detail);

    public static Validation Field(string field, string message, int status = 400) =>
        new(new Dictionary<string, string[]> { [field] = [message] }, Status: status);
}

/// <summary>A value or a <see cref="Failure"/>.</summary>
public readonly record struct Result<T>
{
    private Result(T? value, Failure? failure) => (Value, Error) = (value, failure);

    public T? Value { get; }
    public Failure? Error { get; }
    public bool IsSuccess => Error is null;

    public static implicit operator Result<T>(T value) => new(value, null);
    public static implicit operator Result<T>(Failure failure) => new(default, failure);
}

/// <summary>Collects per-field messages; empty means valid.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
            _errors[field] = messages = [];
        messages.Add(message);
    }

    /// <summary>A sender address (from, reply-to): a plain address, no display name, at most 100 characters; null is not checked.</summary>
    public void CheckEmail(string field, string? value)
    {
        if (value is null)
            return;
        if (value.Length > 100 || !System.Net.Mail.MailAddress.TryCreate(value.Trim(), out var address) || address.Address != value.Trim())
            Add(field, "must be a plain email address (at most 100 characters)");
    }

    public Failure.Validation ToFailure(int status = 400) =>
        new(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), Status: status);
}
