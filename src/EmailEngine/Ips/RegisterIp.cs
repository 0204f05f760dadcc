using EmailEngine.Common;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

public sealed record RegisterIpRequest(string? Ip, string? Domain, string? Status);

public static class RegisterIp
{
    public static async Task<IResult> Handle(RegisterIpRequest request, AppDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (!IpAddressText.TryNormalize(request.Ip, out var address, out var ipReason))
            errors.Add("ip", ipReason);
        if (!Hostname.TryNormalize(request.Domain, out var domain, out var domainReason))
            errors.Add("domain", domainReason);
        var status = request.Status is null ? IpStatus.Warming : IpStatuses.Parse(request.Status);
        if (status is null)
            errors.Add("status", $"must be one of {string.Join(", ", IpStatuses.Names)}");
        if (errors.Any)
            return errors.ToFailure().ToProblem();

        var canonical = address!.ToString();
        if (await db.Set<SendingIp>().AsNoTracking().AnyAsync(i => i.Address == canonical, ct))
            return Duplicate(canonical);

        var now = clock.GetUtcNow();
        var ip = new SendingIp { Address = canonical, Domain = domain, Status = status!.Value, CreatedAt = now, UpdatedAt = now };
        db.Add(ip);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Most likely lost a race with a concurrent registration of the same address.
            if (await IsRegisteredAsync(db, canonical, ct))
                return Duplicate(canonical);
            throw;
        }
        return TypedResults.Created($"/api/v1/ips/{ip.Id}", IpResponse.From(ip));
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
