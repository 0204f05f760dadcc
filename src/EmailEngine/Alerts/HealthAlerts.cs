using EmailEngine.Data;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.Alerts;

/// <summary>
/// Turns the engine's health checks into alerts: a check that is degraded opens a warning, unhealthy a critical one,
/// and healthy again resolves it. Blocklists and PowerMTA's status are left out: their sweep and poller raise one
/// detailed alert per cause themselves.
/// </summary>
public sealed class HealthAlerts(HealthCheckService health, AlertCenter alerts, AppDbContext db)
{
    public const string Prefix = "health:";

    public async Task RunAsync(CancellationToken ct)
    {
        var report = await health.CheckHealthAsync(check => check.Name is not ("blocklists" or "powermta-status"), ct);
        foreach (var (name, entry) in report.Entries)
        {
            var key = Prefix + name;
            if (entry.Status == HealthStatus.Healthy)
                await alerts.ResolveAsync(key, $"{name}: {entry.Description}", ct);
            else
                await alerts.RaiseAsync(key, entry.Status == HealthStatus.Unhealthy ? AlertSeverity.Critical : AlertSeverity.Warning,
                    $"{name} needs a hand", entry.Description ?? entry.Exception?.Message ?? "no detail", ct);
        }
        await alerts.RemindAsync(ct);
        await db.SaveChangesAsync(ct);
    }
}
