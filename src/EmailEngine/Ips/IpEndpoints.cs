using EmailEngine.Auth;

namespace EmailEngine.Ips;

public static class IpEndpoints
{
    /// <summary>The IP registry is infrastructure shared by all tenants: operator key only.</summary>
    public static IEndpointRouteBuilder MapIpEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/ips").WithTags("IPs").RequireAuthorization(AuthSetup.OperatorPolicy);
        group.MapPost("/", RegisterIp.Handle).WithName("RegisterIp");
        group.MapGet("/", ListIps.Handle).WithName("ListIps");
        group.MapGet("/{id:long}", GetIp.Handle).WithName("GetIp");
        group.MapPatch("/{id:long}", UpdateIp.Handle).WithName("UpdateIp");
        group.MapDelete("/{id:long}", DeleteIp.Handle).WithName("DeleteIp");
        return app;
    }
}

public sealed record IpResponse(long Id, string Ip, string Domain, string Status, string Vmta, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static IpResponse From(SendingIp ip) =>
        new(ip.Id, ip.Address, ip.Domain, IpStatuses.ToWire(ip.Status), ip.VmtaName, ip.CreatedAt, ip.UpdatedAt);
}
