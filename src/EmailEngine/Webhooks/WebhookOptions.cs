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
        return new WebhookOptions(TimeSpan.FromSeconds(settings.Whole("WEBHOOK_TIMEOUT_SECONDS", 10, min: 1, max: 120)),
            settings.Switch("WEBHOOK_ALLOW_PRIVATE_TARGETS", false));
    }
}
