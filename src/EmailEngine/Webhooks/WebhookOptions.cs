using EmailEngine.Hosting;

namespace EmailEngine.Webhooks;

/// <summary>
/// <c>WEBHOOK_TIMEOUT_SECONDS</c> (10): how long a receiver has to answer. <c>WEBHOOK_ALLOW_PRIVATE_TARGETS</c> (false):
/// tenants' URLs may not reach loopback, private, link-local or unique-local addresses (the engine's own network:
/// PowerMTA's management port, the database…) unless the operator allows it.
/// </summary>
public sealed record WebhookOptions(TimeSpan Timeout, bool AllowPrivateTargets)
{
    public static WebhookOptions From(EngineSettings settings)
    {
        var timeout = TimeSpan.FromSeconds(10);
        if (settings.Get("WEBHOOK_TIMEOUT_SECONDS") is { } text)
        {
            if (!int.TryParse(text, out var seconds) || seconds is < 1 or > 120)
                throw new ConfigurationError("WEBHOOK_TIMEOUT_SECONDS", "expected a whole number of seconds from 1 to 120");
            timeout = TimeSpan.FromSeconds(seconds);
        }
        var allow = settings.Get("WEBHOOK_ALLOW_PRIVATE_TARGETS")?.Trim().ToLowerInvariant() switch
        {
            null or "" or "false" or "0" or "no" or "off" => false,
            "true" or "1" or "yes" or "on" => true,
            _ => throw new ConfigurationError("WEBHOOK_ALLOW_PRIVATE_TARGETS", "expected true or false"),
        };
        return new WebhookOptions(timeout, allow);
    }
}
