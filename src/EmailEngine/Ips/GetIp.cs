using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

public static class GetIp
{
    public static async Task<IResult> Handle(long id, AppDbContext db, Warmup.WarmupOptions options, CancellationToken ct) =>
        await db.Set<SendingIp>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) is { } ip
            ? TypedResults.Ok(IpResponse.From(ip, await db.Set<Warmup.IpWarmup>().AsNoTracking().SingleOrDefaultAsync(w => w.IpId == id, ct), options))
            : NotFound(id).ToProblem();

    internal static Failure NotFound(long id) => new Failure.NotFound($"IP {id} does not exist.");
}
