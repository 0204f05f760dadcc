namespace EmailEngine.Campaigns;

/// <summary>
/// The tenants whose campaigns have no sending route of their own right now; the MailWizz delivery servers decide
/// (<c>MailWizz/DeliveryServers/TenantServers.cs</c>). <see cref="SendingHold"/> holds their campaigns in MailWizz as it
/// holds everyone's when no IP may send.
/// </summary>
public interface IUnservedTenants
{
    Task<IReadOnlySet<long>> FindAsync(CancellationToken ct);
}
