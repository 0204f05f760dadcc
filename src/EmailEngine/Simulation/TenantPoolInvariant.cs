namespace EmailEngine.Simulation;

/// <summary>One message that left an IP, with the tenant it was sent for (in <c>simulate</c>, the tenant its recipient signed up with;
/// empty if unknown).</summary>
public sealed record TenantSend(DateTimeOffset Time, string Vmta, string Tenant);

/// <summary>Mail of <paramref name="Tenant"/> that left through <paramref name="Owner"/>'s IP: how much, and from when.</summary>
public sealed record TenantLeak(string Vmta, string Owner, string Tenant, int Sent, DateTimeOffset First);

/// <summary>
/// The second invariant of a run with several tenants: no tenant's mail leaves through another tenant's IP, since an
/// IP's reputation is its owner's. An IP owned by a tenant carries that tenant's mail only (untagged mail included in
/// the breach: nobody can say whose it was); a shared IP may carry anyone's.
/// <c>simulate</c> checks it on every attempt the PowerMTA stand-ins logged; a leak fails the run.
/// </summary>
public static class TenantPoolInvariant
{
    /// <param name="ownerOfVmta">Each IP's owning tenant (slug) by virtual MTA; shared IPs are absent or null.</param>
    public static List<TenantLeak> Check(IEnumerable<TenantSend> sends, IReadOnlyDictionary<string, string?> ownerOfVmta) =>
        sends.Where(s => ownerOfVmta.GetValueOrDefault(s.Vmta) is { } owner && owner != s.Tenant)
            .GroupBy(s => (s.Vmta, Owner: ownerOfVmta[s.Vmta]!, s.Tenant))
            .Select(g => new TenantLeak(g.Key.Vmta, g.Key.Owner, g.Key.Tenant, g.Count(), g.Min(s => s.Time)))
            .OrderBy(l => l.First).ToList();
}
