namespace EmailEngine.Ips;

/// <summary>
/// Creates what the registered IPs' sending domains need and do not have yet (the domain's row and its DKIM key),
/// provided by the Dkim feature. Called after an IP is registered or changes domain, and before a deployment, so that
/// reading a config, a domain or its DNS records never writes.
/// </summary>
public interface ISendingDomainSetup
{
    Task EnsureFromIpsAsync(CancellationToken ct);
}
