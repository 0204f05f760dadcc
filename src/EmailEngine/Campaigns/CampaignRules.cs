using EmailEngine.Http;

namespace EmailEngine.Campaigns;

public sealed record DelayRequest(int? Value, string? Unit);

internal static class CampaignRules
{
    public static readonly string[] DelayUnits = ["minute", "hour", "day", "week", "month", "year"];

    public static CampaignType? ParseType(string? type) => type?.Trim().ToLowerInvariant() switch
    {
        "autoresponder" => CampaignType.Autoresponder,
        "regular" => CampaignType.Regular,
        _ => null,
    };

    public static void CheckSender(FieldErrors errors, string? fromName, string? fromEmail, string? replyTo, string? subject)
    {
        if (fromName is { Length: > 100 })
            errors.Add("from_name", "must be at most 100 characters");
        errors.CheckEmail("from_email", fromEmail);
        errors.CheckEmail("reply_to", replyTo);
        if (subject is not null && (subject.Trim().Length == 0 || subject.Length > 255))
            errors.Add("subject", "must be 1-255 characters");
    }

    public static void CheckDelay(FieldErrors errors, DelayRequest? delay)
    {
        if (delay is null)
            return;
        if (delay.Value is null or < 0 or > 100_000)
            errors.Add("delay.value", "must be a whole number from 0 to 100000");
        if (delay.Unit is not null && !DelayUnits.Contains(delay.Unit.Trim().ToLowerInvariant()))
            errors.Add("delay.unit", $"must be one of {string.Join(", ", DelayUnits)}");
    }
}
