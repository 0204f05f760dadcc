using EmailEngine.Http;

namespace EmailEngine.Ips;

public static class IpEndpoints
{
    /// <summary>The IP registry is the operator's infrastructure, and who owns an IP is the operator's call: operator key only.</summary>
    public static IEndpointRouteBuilder MapIpEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/ips").WithTags("IPs").RequireOperator();
        group.MapPost("/", RegisterIp.Handle).WithName("RegisterIp")
            .Produces<IpResponse>(201).ProducesValidationProblem().ProducesValidationProblem(409);
        group.MapGet("/", ListIps.Handle).WithName("ListIps")
            .Produces<IpListResponse>().ProducesValidationProblem();
        group.MapGet("/{id:long}", GetIp.Handle).WithName("GetIp")
            .Produces<IpResponse>().ProducesProblem(404);
        group.MapPatch("/{id:long}", UpdateIp.Handle).WithName("UpdateIp")
            .Produces<IpResponse>().ProducesValidationProblem().ProducesProblem(404);
        group.MapDelete("/{id:long}", DeleteIp.Handle).WithName("DeleteIp")
            .Produces(204).ProducesProblem(404).ProducesProblem(409);
        return app;
    }
}

/// <summary>
/// The plan an IP is under (null when it never had one), so a registration says which plan now bounds it, with the
/// day's quota in total and per ISP group.
/// </summary>
public sealed record IpWarmupSummary(string Plan, string Phase, int SendingDay, int DailyQuota, IReadOnlyDictionary<string, int> IspQuotas);

/// <param name="Tenant">The tenant the IP sends for alone (its slug), or null.</param>
/// <param name="Pool">The shared pool of an IP without a tenant (<c>all</c> by default), or null.</param>
/// <param name="VmtaPool">The PowerMTA pool the IP sends in when it may send.</param>
/// <param name="Host">The PowerMTA host that sends from the IP (<c>default</c>: the host of the settings).</param>
public sealed record IpResponse(long Id, string Ip, string Domain, string Status, string Vmta, string? Tenant, string? Pool, string VmtaPool,
    string Host, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IpWarmupSummary? Warmup)
{
    public static IpResponse From(SendingIp ip, IpWarmupSummary? warmup) =>
        new(ip.Id, ip.Address, ip.Domain, IpStatuses.ToWire(ip.Status), ip.VmtaName, ip.Tenant?.Slug,
            ip.TenantId is null ? ip.Pool ?? IpOwnership.DefaultPool : null, ip.PoolName, ip.HostName,
            ip.CreatedAt, ip.UpdatedAt, warmup);
}
