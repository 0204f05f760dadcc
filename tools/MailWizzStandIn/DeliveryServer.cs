using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailWizzStandIn;

/// <summary>
/// A MailWizz delivery server (type <c>smtp-pmta</c>: plain SMTP to PowerMTA) with its quotas (0 = unlimited,
/// counted per clock hour and day) and additional headers, whose values may hold tags (<c>[SUBSCRIBER_UID]</c>, a
/// list field such as <c>[FNAME]</c>) filled per subscriber. <see cref="UseFor"/> says which mail it carries;
/// without it, all mail. <see cref="Probability"/> is its weight when several servers may carry a mail.
/// </summary>
public sealed record DeliveryServer
{
    public const string VirtualMtaHeader = "X-Virtual-MTA";

    /// <summary>MailWizz refuses these as additional headers (<c>getNeverAllowedHeaders</c>): it sets them itself.</summary>
    private static readonly HashSet<string> NeverAllowedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Subject", "Date", "Return-Path", "Sender", "Reply-To", "Message-Id", "List-Unsubscribe",
        "Content-Type", "Content-Transfer-Encoding", "MIME-Version", "X-Sender", "X-Receiver", "X-Report-Abuse", "List-Id",
    };

    private static readonly JsonSerializerOptions FileFormat = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string Name { get; init; } = "default";
    public string Type { get; init; } = "smtp-pmta";
    public string Hostname { get; init; } = "";
    public int Port { get; init; } = 25;
    public int HourlyQuota { get; init; }
    public int DailyQuota { get; init; }
    /// <summary>MailWizz's <c>probability</c> (default 100): the weight of its weighted random pick among the servers that qualify.</summary>
    public int Probability { get; init; } = 100;
    /// <summary>The <c>--delivery-server</c> one: used only when no server of the file carries the mail.</summary>
    [JsonIgnore]
    public bool CatchAll { get; init; }
    /// <summary>Its row in MailWizz's database, whose status and quotas win when the stand-in is given one (<see cref="ServerQuotaTable"/>).</summary>
    public int? ServerId { get; init; }
    public List<AdditionalHeader> AdditionalHeaders { get; init; } = [];
    public ServerScope? UseFor { get; init; }

    public bool Carries(MwList list, MwCampaign campaign) => UseFor is not { } scope
        || scope.ListUids?.Contains(list.Uid) == true
        || scope.FromDomains?.Contains(campaign.V("from_email").Split('@').Last(), StringComparer.OrdinalIgnoreCase) == true
        || scope.Tenants?.Contains(TenantOf(list), StringComparer.OrdinalIgnoreCase) == true;

    /// <summary>The engine names its lists <c>ee:TENANT:LANGUAGE</c>; any other list is its own tenant.</summary>
    public static string TenantOf(MwList list) => list.Name.Split(':') is ["ee", var tenant, ..] ? tenant : list.Name;

    public static DeliveryServer? FromCommandLine(string? hostPort, string? virtualMta, int hourlyQuota, int dailyQuota, int? serverId)
    {
        if (hostPort is not { Length: > 0 })
            return null;
        var (host, port) = ParseHostPort(hostPort);
        return new DeliveryServer
        {
            Hostname = host, Port = port, HourlyQuota = hourlyQuota, DailyQuota = dailyQuota, ServerId = serverId, CatchAll = true,
            AdditionalHeaders = virtualMta is { Length: > 0 } ? [new AdditionalHeader(VirtualMtaHeader, virtualMta)] : [],
        };
    }

    /// <summary>Reads a JSON array of servers; an entry without hostname uses the command-line server's address.</summary>
    public static List<DeliveryServer> Load(string path, DeliveryServer? commandLine)
    {
        var servers = JsonSerializer.Deserialize<List<DeliveryServer>>(File.ReadAllText(path), FileFormat) ?? [];
        return servers.Select(server =>
        {
            if (server.AdditionalHeaders.FirstOrDefault(h => NeverAllowedHeaders.Contains(h.Name)) is { } refused)
                throw new InvalidOperationException($"{path}: delivery server '{server.Name}': MailWizz never allows the additional header {refused.Name}");
            if (server.Probability < 1)
                throw new InvalidOperationException($"{path}: delivery server '{server.Name}': probability must be 1 or more");
            if (server.Hostname.Length > 0)
                return server;
            if (commandLine is null)
                throw new InvalidOperationException($"{path}: delivery server '{server.Name}' has no hostname and no --delivery-server was given");
            return server with { Hostname = commandLine.Hostname, Port = commandLine.Port };
        }).ToList();
    }

    private static (string Host, int Port) ParseHostPort(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return colon < 0 ? (hostPort, 25) : (hostPort[..colon], int.Parse(hostPort[(colon + 1)..]));
    }
}

public sealed record AdditionalHeader(string Name, string Value);

/// <summary>Which mail a server carries: any list uid, campaign from-address domain or tenant given here.</summary>
public sealed record ServerScope(List<string>? ListUids, List<string>? FromDomains, List<string>? Tenants);
