using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Ips;

public static class DeleteIp
{
    /// <summary>An active IP carries live traffic: pause or retire it first.</summary>
    public static async Task<IResult> Handle(long id, AppDbContext db, CancellationToken ct)
    {
        var ip = await db.Set<SendingIp>().SingleOrDefaultAsync(i => i.Id == id, ct);
        if (ip is null)
            return GetIp.NotFound(id).ToProblem();
        if (ip.Status == IpStatus.Active)
            return new Failure.Conflict($"IP {ip.Address} is active; pause or retire it before deleting it.").ToProblem();
        db.Remove(ip);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }
}
