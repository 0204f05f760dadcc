using EmailEngine.Data;
using EmailEngine.Suppressions;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts;

public sealed class ContactTenants(AppDbContext db) : ITenantsOfAddress
{
    public Task<List<long>> TenantsWithContactAsync(string emailKey, CancellationToken ct)
    {
        var keyHash = Contact.KeyHashOf(emailKey);
        return db.Set<Contact>().AsNoTracking().Where(c => c.KeyHash == keyHash).Select(c => c.TenantId).Distinct().ToListAsync(ct);
    }
}
