namespace EmailEngine.Ips;

/// <summary>
/// Told when an IP changes owner, or leaves or rejoins service (retired), inside the change's transaction: which
/// MailWizz delivery servers each tenant's campaigns may use follows from it (provided by MailWizz). The caller saves.
/// </summary>
public interface IIpOwnershipObserver
{
    Task OwnershipChangedAsync(CancellationToken ct);
}
