using EmailEngine.Ips;
using EmailEngine.Warmup;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>
/// What one IP's MailWizz delivery server must say today. <paramref name="DailyQuota"/> is the IP's quota in any 24
/// hours (<see cref="SendingCapacity.DailyQuotaOf"/>); <paramref name="HourlyQuota"/> a 24th of it, so that MailWizz,
/// which counts per clock hour and calendar day, cannot hand over a day's quota at 23:00 and another at midnight: 24
/// hours in a row stay within the day's quota. Neither is ever 0, which MailWizz reads as unlimited: a server that may
/// not send is <c>disabled</c> and keeps a quota of 1, so re-enabling it by hand cannot open the floodgates.
/// </summary>
public sealed record DeliveryServerValues(string Status, int HourlyQuota, int DailyQuota, string Reason)
{
    public const string Active = "active", Disabled = "disabled";

    public static DeliveryServerValues For(SendingIp ip, IpWarmup? warmup, WarmupOptions options)
    {
        var daily = SendingCapacity.DailyQuotaOf(ip, warmup, options);
        var hourly = Math.Max(1, daily / 24);
        var status = IpStatuses.ToWire(ip.Status);
        if (daily > 0)
            return new(Active, hourly, daily, ip.Status == IpStatus.Active
                ? $"active IP: SENDING_ACTIVE_IP_DAILY {daily}/day"
                : $"warming IP, plan {warmup!.PlanName} sending day {warmup.SendingDay}: {daily}/day");
        var why = ip.Status == IpStatus.Warming
            ? warmup is null ? "warming IP without a running warmup" : $"warming IP, warmup {warmup.Phase.ToString().ToLowerInvariant()}"
            : $"{status} IP";
        return new(Disabled, 1, 1, $"{why}: may not send");
    }

    /// <summary>The server's name in the import CSV, by which the sync finds a server created from it.</summary>
    public static string NameOf(SendingIp ip) => $"EE {ip.VmtaName} {ip.Address}";
}
