namespace MailWizzStandIn;

/// <summary>
/// The stand-in's settings, read from the host's configuration (command line <c>--name value</c>, or environment):
/// <c>--api-key</c>, <c>--delivery-server host:port</c> (alias <c>--smtp</c>), <c>--virtual-mta</c>,
/// <c>--hourly-quota</c>, <c>--daily-quota</c>, <c>--delivery-servers FILE</c>, <c>--state-dir DIR</c>,
/// <c>--retry-after</c> (first retry delay, a TimeSpan, doubled per failure), <c>--server-id</c> (the command-line
/// server's row in MailWizz's database), <c>--mailwizz-db</c> (a MySQL connection string: servers with a
/// <c>server_id</c> take status and quotas from there, see <see cref="ServerQuotaTable"/>), <c>--mailwizz-db-prefix</c>
/// (<c>mw_</c>), <c>--can-select-delivery-servers</c> (false: the customer group option
/// <c>servers.can_select_delivery_servers_for_campaign</c>; without it a campaign's <c>delivery_servers</c> are ignored).
/// </summary>
public sealed record StandInOptions
{
    public string ApiKey { get; init; } = "standin-key";
    public IReadOnlyList<DeliveryServer> DeliveryServers { get; init; } = [];
    public string? StateDir { get; init; }
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(30);
    public string? MailWizzDb { get; init; }
    public string MailWizzDbPrefix { get; init; } = "mw_";
    /// <summary>Whether a campaign's <c>delivery_servers</c> restrict which servers carry it (MailWizz's default: no).</summary>
    public bool CanSelectDeliveryServers { get; init; }

    /// <summary>The servers that may carry this campaign: the ones it names when the customer group allows naming them, else all.</summary>
    public IEnumerable<DeliveryServer> ServersFor(MwCampaign campaign)
    {
        var named = campaign.V("delivery_servers").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(id => int.TryParse(id, out var n) ? n : -1).ToHashSet();
        return CanSelectDeliveryServers && named.Count > 0 ? DeliveryServers.Where(s => s.ServerId is { } id && named.Contains(id)) : DeliveryServers;
    }

    public static StandInOptions From(IConfiguration config)
    {
        var defaultServer = DeliveryServer.FromCommandLine(config["delivery-server"] ?? config["smtp"], config["virtual-mta"],
            config.GetValue("hourly-quota", 0), config.GetValue("daily-quota", 0), config.GetValue<int?>("server-id"));
        var fromFile = config["delivery-servers"] is { Length: > 0 } file ? DeliveryServer.Load(file, defaultServer) : [];
        return new StandInOptions
        {
            ApiKey = config["api-key"] ?? config["MAILWIZZ_API_KEY"] ?? "standin-key",
            // Entries of the file first (they are the specific ones), the command-line server last as the catch-all.
            DeliveryServers = [.. fromFile, .. defaultServer is null ? [] : new[] { defaultServer }],
            StateDir = config["state-dir"] is { Length: > 0 } dir ? dir : null,
            RetryAfter = config.GetValue("retry-after", TimeSpan.FromSeconds(30)),
            MailWizzDb = config["mailwizz-db"] is { Length: > 0 } db ? db : null,
            MailWizzDbPrefix = config["mailwizz-db-prefix"] ?? "mw_",
            CanSelectDeliveryServers = config.GetValue("can-select-delivery-servers", false),
        };
    }
}
