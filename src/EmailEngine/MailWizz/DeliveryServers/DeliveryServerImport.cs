using System.Data;
using EmailEngine.Ips;
using Sylvan.Data.Csv;

namespace EmailEngine.MailWizz.DeliveryServers;

/// <summary>
/// The CSV for MailWizz's delivery-server import (Backend → Servers → Delivery servers → Import), one <c>smtp-pmta</c>
/// server per IP that is not retired, in the attributes MailWizz accepts there
/// (<c>DeliveryServer::getImportExportAllowedAttributes</c>). The import has no column for the status, the warmup plan
/// or the additional headers: those are set by hand (see <see cref="HandSteps"/>).
/// </summary>
public static class DeliveryServerImport
{
    public static readonly string[] Columns =
    [
        "type", "name", "hostname", "username", "password", "port", "protocol", "timeout", "from_email", "from_name",
        "reply_to_email", "hourly_quota", "daily_quota", "monthly_quota", "pause_after_send",
    ];

    public static string HandSteps() =>
        $"For each IP's server in MailWizz: type smtp-pmta, hostname as the server's 'hostname' says (its PowerMTA host), port {DeliveryServerOptions.SmtpPort}, no username or password "
        + "(PowerMTA relays for MailWizz's address), additional header X-Virtual-MTA set to the IP's vmta, warmup plan none, and "
        + "hourly_quota, daily_quota and status as 'desired' says, again every day. Name it as import_name says, or link its server_id here. "
        + "MailWizz caches quotas left for 5 minutes: a change takes effect within 5 minutes. "
        + "A server whose IP has a tenant must carry that tenant's mail only: the engine writes no customer_id (all tenants are "
        + "one MailWizz customer, MAILWIZZ_API_KEY), so choose such servers for that tenant's campaigns only (the campaign's "
        + "delivery servers, where the customer group allows it).";

    /// <summary>Each server's hostname is its IP's PowerMTA host's (<see cref="DeliveryServerView.Hostname"/>).</summary>
    public static string Csv(IEnumerable<DeliveryServerView> servers)
    {
        var table = new DataTable();
        foreach (var column in Columns)
            table.Columns.Add(column, typeof(string));
        foreach (var server in Importable(servers))
        {
            var from = $"noreply@{SendingIp.SendingDomainOf(server.Domain)}";
            table.Rows.Add("smtp-pmta", server.ImportName, server.Hostname, "", "", $"{DeliveryServerOptions.SmtpPort}", "", "30", from, "", from,
                $"{server.Desired.HourlyQuota}", $"{server.Desired.DailyQuota}", "0", "0");
        }
        using var text = new StringWriter();
        using (var writer = CsvDataWriter.Create(text))
            writer.Write(table.CreateDataReader());
        return text.ToString();
    }

    /// <summary>The servers the import carries: those of IPs that are not retired.</summary>
    public static IEnumerable<DeliveryServerView> Importable(IEnumerable<DeliveryServerView> servers) =>
        servers.Where(s => s.IpStatus != IpStatuses.ToWire(IpStatus.Retired));
}
