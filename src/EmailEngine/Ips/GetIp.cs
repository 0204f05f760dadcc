using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

public static class GetIp
{
    public static async Task<IResult> Handle(long id, AppDbContext db, IIpWarmups warmups, CancellationToken ct) =>
        await db.Set<SendingIp>().AsNoTracking().SingleOrDefaultAsync(i => i.Id == id, ct) is { } ip
            ? TypedResults.Ok(await ResponseAsync(ip, warmups, ct))
            : NotFound(id).ToProblem();

    /// <summary>One IP as the API shows it, with its warmup as stored now.</summary>
    internal static async Task<IpResponse> ResponseAsync(SendingIp ip, IIpWarmups warmups, CancellationToken ct) =>
        IpResponse.From(ip, (await warmups.SummariesAsync([ip.Id], ct)).GetValueOrDefault(ip.Id));

    internal static Failure NotFound(long id) => new Failure.NotFound($"IP {id} does not exist.");
}
