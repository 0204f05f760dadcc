using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

/// <param name="Tenant">The tenant the IP sends for alone, or <paramref name="Pool"/> a shared pool; neither = the default shared pool.</param>
/// <param name="Host">The PowerMTA host that sends from the IP; null = the default host.</param>
public sealed record RegisterIpRequest(string? Ip, string? Domain, string? Status, string? Tenant = null, string? Pool = null, string? Host = null);

public static class RegisterIp
{
    /// <summary>Registers an IP (default status <c>warming</c>, default host the default one); a warming IP starts the default warmup plan at once.</summary>
    public static async Task<IResult> Handle(RegisterIpRequest request, AppDbContext db, IIpHosts hosts, IIpWarmups warmups, TimeProvider clock,
        ISendingDomainSetup domains, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!IpAddressText.TryNormalize(request.Ip, out var address, out var ipReason))
            errors.Add("ip", ipReason);
        if (!Hostname.TryNormalize(request.Domain, out var domain, out var domainReason))
            errors.Add("domain", domainReason);
        var status = request.Status is null ? IpStatus.Warming : IpStatuses.Parse(request.Status);
        if (status is null)
            errors.Add("status", $"must be one of {string.Join(", ", IpStatuses.Names)}");
        var owner = await IpOwnership.ReadAsync(request.Tenant, request.Pool, ipId: null, db, errors, ct) ?? IpOwner.Default;
        var host = await hosts.CheckIpHostAsync(request.Host, errors, ct);
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var canonical = address!.ToString();
        if (await db.Set<SendingIp>().AsNoTracking().AnyAsync(i => i.Address == canonical, ct))
            return Duplicate(canonical);

        var now = clock.GetUtcNow();
        var ip = new SendingIp { Address = canonical, Domain = domain, Status = status!.Value, Host = host, CreatedAt = now, UpdatedAt = now };
        owner.ApplyTo(ip);
        db.Add(ip);
        // The IP and its plan are one change: a warming IP is never visible (or rendered) without its limits.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Most likely lost a race with a concurrent registration of the same address.
            await transaction.RollbackAsync(CancellationToken.None);
            if (await IsRegisteredAsync(db, canonical, ct))
                return Duplicate(canonical);
            throw;
        }
        await warmups.EnsureForWarmingAsync(ip, now, "ip-registration", ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        // After the commit: a domain created concurrently by another request must not undo the registration.
        await domains.EnsureFromIpsAsync(ct);
        return TypedResults.Created($"/api/v1/ips/{ip.Id}", await GetIp.ResponseAsync(ip, warmups, ct));
    }

    private static Task<bool> IsRegisteredAsync(AppDbContext db, string address, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        return db.Set<SendingIp>().AnyAsync(i => i.Address == address, ct);
    }

    private static IResult Duplicate(string address) =>
        new Failure.Conflict($"IP {address} is already registered.",
            new Dictionary<string, string[]> { ["ip"] = [$"{address} is already registered"] }).ToProblem();
}
