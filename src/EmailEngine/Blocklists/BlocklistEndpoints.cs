using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Blocklists;

public sealed record ZoneResponse(string Name, string Kind, bool Ipv6);

public sealed record ListingResponse(long Id, string Target, string Zone, string Severity, string Codes, string Sublists, string Meaning, string? Txt,
    DateTimeOffset ListedAt, DateTimeOffset LastSeenAt, DateTimeOffset? DelistedAt, string? Action, string? DelistAction)
{
    public static ListingResponse From(BlocklistListing l) => new(l.Id, l.Target, l.Zone, l.Severity.ToString().ToLowerInvariant(), l.Codes, l.Sublists,
        l.Meaning, l.Txt, l.ListedAt, l.LastSeenAt, l.DelistedAt, l.Action, l.DelistAction);
}

public sealed record CheckResponse(string Target, string Zone, string State, string Detail, DateTimeOffset CheckedAt);

public sealed record BlocklistStatusResponse(IReadOnlyList<ZoneResponse> Zones, IReadOnlyList<ListingResponse> Listed, IReadOnlyList<CheckResponse> Checks);

public static class BlocklistEndpoints
{
    /// <summary>Infrastructure shared by all tenants: operator key only. Zone hosts are not shown (a DQS key is part of them).</summary>
    public static IEndpointRouteBuilder MapBlocklistEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/blocklists").WithTags("Blocklists").RequireOperator();
        group.MapGet("/", Status).WithName("BlocklistStatus").Produces<BlocklistStatusResponse>();
        group.MapGet("/listings", Listings).WithName("BlocklistListings").Produces<IReadOnlyList<ListingResponse>>();
        group.MapPost("/check", Check).WithName("CheckBlocklists").Produces<SweepReport>();
        return app;
    }

    private static async Task<IResult> Status(AppDbContext db, BlocklistOptions options, CancellationToken ct)
    {
        var listed = await db.Set<BlocklistListing>().Where(l => l.DelistedAt == null).OrderBy(l => l.Id).ToListAsync(ct);
        var checks = await db.Set<BlocklistCheck>().OrderBy(c => c.Target).ThenBy(c => c.Zone).ToListAsync(ct);
        return TypedResults.Ok(new BlocklistStatusResponse(
            options.Zones.Select(z => new ZoneResponse(z.Name, z.Kind.ToString().ToLowerInvariant(), z.Ipv6)).ToList(),
            listed.Select(ListingResponse.From).ToList(),
            checks.Select(c => new CheckResponse(c.Target, c.Zone, c.State.ToString().ToLowerInvariant(), c.Detail, c.CheckedAt)).ToList()));
    }

    /// <summary>The history, newest first: every listing of <paramref name="target"/> (or of all targets), open or closed.</summary>
    private static async Task<IResult> Listings(string? target, AppDbContext db, CancellationToken ct)
    {
        var query = db.Set<BlocklistListing>().AsQueryable();
        if (!string.IsNullOrWhiteSpace(target))
            query = query.Where(l => l.Target == target.Trim().ToLowerInvariant());
        var listings = await query.OrderByDescending(l => l.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(listings.Select(ListingResponse.From).ToList());
    }

    /// <summary>Sweeps every target now, due or not.</summary>
    private static async Task<IResult> Check(BlocklistMonitor monitor, CancellationToken ct) =>
        TypedResults.Ok(await monitor.SweepAsync(everything: true, ct));
}
