using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

public sealed record IpListResponse(IReadOnlyList<IpResponse> Items, int Registered, int Expected);

public static class ListIps
{
    /// <summary>Lists IPs (optionally by status, by PowerMTA host) with the fleet size: registered (not retired) vs IPS_COUNT.</summary>
    public static async Task<IResult> Handle(string? status, string? host, AppDbContext db, IIpHosts hosts, EngineSettings settings,
        IIpWarmups warmupsOfIps, CancellationToken ct)
    {
        var filter = status is null ? null : IpStatuses.Parse(status);
        if (status is not null && filter is null)
            return Failure.Field("status", $"must be one of {string.Join(", ", IpStatuses.Names)}").ToProblem();
        var query = db.Set<SendingIp>().AsNoTracking();
        if (host is not null)
        {
            var errors = new FieldErrors();
            var stored = await hosts.CheckIpHostAsync(host, errors, ct);
            if (errors.Any)
                return errors.ToFailure().ToProblem();
            query = query.Where(ip => ip.Host == stored);
        }
        if (filter is { } wanted)
            query = query.Where(i => i.Status == wanted);
        var items = await query.OrderBy(i => i.Id).ToListAsync(ct);
        var warmups = await warmupsOfIps.SummariesAsync(null, ct);
        var registered = await CountRegisteredAsync(db, ct);
        return TypedResults.Ok(new IpListResponse(items.Select(ip => IpResponse.From(ip, warmups.GetValueOrDefault(ip.Id))).ToList(),
            registered, settings.IpsCount));
    }

    public static Task<int> CountRegisteredAsync(AppDbContext db, CancellationToken ct) =>
        db.Set<SendingIp>().CountAsync(i => i.Status != IpStatus.Retired, ct);
}
