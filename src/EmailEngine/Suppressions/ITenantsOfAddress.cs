namespace EmailEngine.Suppressions;

/// <summary>The tenants that have a contact at an address (provided by Contacts): told when a global suppression adds it.</summary>
public interface ITenantsOfAddress
{
    Task<List<long>> TenantsWithContactAsync(string emailKey, CancellationToken ct);
}
