using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Ips;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <param name="Database">Where the sync writes (host:port/database), or null: without it, import the CSV and follow <paramref name="HandSteps"/>.</param>
public sealed record DeliveryServersResponse(string? Database, string TablePrefix, int Port, string HandSteps,
    IReadOnlyList<DeliveryServerView> Servers);

public sealed record LinkServerRequest(int? ServerId);

public static class DeliveryServerEndpoints
{
    /// <summary>MailWizz's delivery servers are the operator's infrastructure: operator key only.</summary>
    public static IEndpointRouteBuilder MapDeliveryServerEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/mailwizz/delivery-servers").WithTags("MailWizz delivery servers").RequireOperator();
        group.MapGet("/", List).WithName("ListDeliveryServers").Produces<DeliveryServersResponse>();
        group.MapPost("/sync", Sync).WithName("SyncDeliveryServers").Produces<DeliveryServersResponse>().ProducesProblem(409);
        group.MapPut("/{ipId:long}", Link).WithName("LinkDeliveryServer")
            .Produces<DeliveryServerView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/import.csv", Import).WithName("DeliveryServerImportCsv").Produces<string>(200, "text/csv").ProducesProblem(409);
        return app;
    }

    private static async Task<IResult> List(DeliveryServerSync sync, DeliveryServerOptions options, CancellationToken ct) =>
        TypedResults.Ok(Response(options, await sync.ViewAsync(ct)));

    /// <summary>Writes every IP's server now, due or not; the outcome of each is in the answer.</summary>
    private static async Task<IResult> Sync(DeliveryServerSync sync, DeliveryServerOptions options, CancellationToken ct) => options.HasDatabase
        ? TypedResults.Ok(Response(options, await sync.SyncAsync(everything: true, ct)))
        : new Failure.Conflict("MAILWIZZ_DB_URL is not set: the engine cannot write MailWizz's delivery servers; import GET "
            + "/api/v1/mailwizz/delivery-servers/import.csv in MailWizz and set the values this API lists by hand").ToProblem();

    /// <summary>Links an IP to a MailWizz server by its <c>server_id</c> (null unlinks); the next sync writes it.</summary>
    private static async Task<IResult> Link(long ipId, LinkServerRequest request, AppDbContext db, DeliveryServerSync sync, CancellationToken ct)
    {
        if (request.ServerId is < 1)
            return Failure.Field("server_id", "must be MailWizz's server_id (1 or more), or null to unlink").ToProblem();
        if (!await db.Set<SendingIp>().AnyAsync(ip => ip.Id == ipId, ct))
            return GetIp.NotFound(ipId).ToProblem();
        if (request.ServerId is { } serverId && await db.Set<DeliveryServerLink>().SingleOrDefaultAsync(l => l.ServerId == serverId && l.IpId != ipId, ct) is { } other)
            return new Failure.Conflict($"MailWizz server {serverId} is already linked to IP {other.IpId}: one server per IP").ToProblem();
        await sync.LinkAsync(ipId, request.ServerId, ct);
        return TypedResults.Ok((await sync.ViewAsync(ct)).Single(s => s.IpId == ipId));
    }

    private static async Task<IResult> Import(DeliveryServerSync sync, CancellationToken ct)
    {
        var servers = await sync.ViewAsync(ct);
        var homeless = DeliveryServerImport.Importable(servers).Where(s => s.Hostname is null).Select(s => s.Host).Distinct().ToList();
        return homeless.Count == 0
            ? TypedResults.Text(DeliveryServerImport.Csv(servers), "text/csv")
            : new Failure.Conflict($"PowerMTA host(s) {string.Join(", ", homeless)} have no address (for the default host: PMTA_SSH_HOST is not set): "
                + "the delivery servers' hostname is their IP's PowerMTA host").ToProblem();
    }

    private static DeliveryServersResponse Response(DeliveryServerOptions options, IReadOnlyList<DeliveryServerView> servers) =>
        new(options.Describe(), options.TablePrefix, DeliveryServerOptions.SmtpPort, DeliveryServerImport.HandSteps(), servers);
}
