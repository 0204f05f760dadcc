using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

/// <param name="Tenant">Gives the IP to this tenant alone; <paramref name="Pool"/> puts it in a shared pool (<c>all</c> = the default).</param>
/// <param name="Host">Moves the IP to this PowerMTA host.</param>
public sealed record UpdateIpRequest(string? Ip, string? Domain, string? Status, string? Tenant = null, string? Pool = null, string? Host = null);

public static class UpdateIp
{
    /// <summary>
    /// Changes the domain, the status, the owner or the PowerMTA host; an IP moved to <c>warming</c> without a running plan
    /// starts the default one. A host change goes live with the next deployment of each of the two hosts.
    /// </summary>
    public static async Task<IResult> Handle(long id, UpdateIpRequest request, AppDbContext db, IIpHosts hosts,
        IIpWarmups warmups, TimeProvider clock, ISendingDomainSetup domains, IIpOwnershipObserver ownership, CancellationToken ct)
    {
        var ip = await db.Set<SendingIp>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (ip is null)
            return GetIp.NotFound(id).ToProblem();

        var errors = new FieldErrors();
        if (request.Ip is not null && !(IpAddressText.TryNormalize(request.Ip, out var address, out _) && address!.ToString() == ip.Address))
            errors.Add("ip", "cannot be changed: register the new address and retire this one");
        var domain = ip.Domain;
        if (request.Domain is not null && !Hostname.TryNormalize(request.Domain, out domain, out var domainReason))
            errors.Add("domain", domainReason);
        var status = ip.Status;
        if (request.Status is not null)
        {
            if (IpStatuses.Parse(request.Status) is not { } wanted)
                errors.Add("status", $"must be one of {string.Join(", ", IpStatuses.Names)}");
            else if (!IpStatuses.CanMove(ip.Status, wanted))
                errors.Add("status", $"cannot move from {IpStatuses.ToWire(ip.Status)} to {IpStatuses.ToWire(wanted)}; allowed: "
                    + string.Join(", ", IpStatuses.NextFrom(ip.Status).Select(IpStatuses.ToWire)));
            else
                status = wanted;
        }
        var owner = await IpOwnership.ReadAsync(request.Tenant, request.Pool, ip.Id, db, errors, ct);
        var host = request.Host is null ? ip.Host : await hosts.CheckIpHostAsync(request.Host, errors, ct);
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var ownerChanged = owner?.ApplyTo(ip) ?? false;
        if (domain != ip.Domain || status != ip.Status || ownerChanged || host != ip.Host)
        {
            var now = clock.GetUtcNow();
            var retiredChanged = (status == IpStatus.Retired) != (ip.Status == IpStatus.Retired);
            var domainChanged = domain != ip.Domain;
            ip.Domain = domain;
            ip.Status = status;
            ip.Host = host;
            ip.UpdatedAt = now;
            await warmups.EnsureForWarmingAsync(ip, now, "ip-update", ct);
            // A new owner changes which MailWizz delivery servers the tenants' campaigns may use: one change with the IP.
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.SaveChangesAsync(ct);
            if (ownerChanged || retiredChanged)
            {
                await ownership.OwnershipChangedAsync(ct);
                await db.SaveChangesAsync(ct);
            }
            await transaction.CommitAsync(ct);
            if (domainChanged)
                await domains.EnsureFromIpsAsync(ct);
        }
        return TypedResults.Ok(await GetIp.ResponseAsync(ip, warmups, ct));
    }
}
