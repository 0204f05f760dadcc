using EmailEngine.Data;

namespace EmailEngine.Http;

/// <summary>
/// On PostgreSQL the service starts before <c>email-engine migrate</c> has run (the stack is started first, then
/// migrated: <c>docker-compose up -d</c>, then <c>docker-compose exec api email-engine migrate</c>); until the
/// schema is current, API routes answer 503 with the command to run instead of failing on missing tables.
/// </summary>
internal sealed class ReadinessGate(RequestDelegate next, DatabaseMigrator migrator)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/ui"))
        {
            var status = await migrator.GetStatusAsync(context.RequestAborted);
            if (!status.UpToDate)
            {
                var detail = status.Reachable
                    ? $"The database schema is not current ({status.Pending.Count} pending migration(s)). Run `email-engine migrate`."
                    : "The database is not reachable; check DATABASE_URL and that the server is up.";
                context.Response.Headers.RetryAfter = "5";
                await Problems.WriteAsync(context, 503, "Service unavailable", detail);
                return;
            }
        }
        await next(context);
    }
}
