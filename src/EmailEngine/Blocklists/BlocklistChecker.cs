using System.Net;
using DnsClient;
using static EmailEngine.Blocklists.ZoneCodeReading;

namespace EmailEngine.Blocklists;

public enum ListingState { Listed, Clear, Error }

/// <summary>One target on one zone: listed (with every code the zone answered), clear (NXDOMAIN), or a checker error
/// that says nothing about the target.</summary>
public sealed record ZoneAnswer(string Zone, string Target, ListingState State, IReadOnlyList<ListingCode> Codes, string? Txt, string? Error)
{
    public ListingSeverity? Severity => Codes.Count == 0 ? null : Codes.Max(c => c.Severity);
    public string Summary => State switch
    {
        ListingState.Listed => string.Join("; ", Codes.Select(c => $"{c.Sublist} ({c.Code}): {c.Meaning}")),
        ListingState.Clear => "not listed",
        _ => $"checker error: {Error}",
    };
}

/// <summary>
/// Asks DNS blocklists about IPs and domains. Every answer is decoded per zone; NXDOMAIN is the only "clear", and a
/// timeout, SERVFAIL, REFUSED, an empty answer or an undocumented code is an error. Before a zone is trusted its RFC
/// 5782 test point must answer as documented (127.0.0.2 listed and 127.0.0.1 clear, or the domain test entry listed):
/// a zone that does not is broken, and its answers are errors until it works again.
/// </summary>
public sealed class BlocklistChecker(LookupClient dns)
{
    public async Task<ZoneAnswer> CheckAsync(BlocklistZone zone, string target, CancellationToken ct)
    {
        var name = zone.QueryName(target);
        var (response, failure) = await QueryAsync(name, QueryType.A, ct);
        if (failure is not null)
            return new(zone.Name, target, ListingState.Error, [], null, failure);
        if (response!.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            return new(zone.Name, target, ListingState.Clear, [], null, null);
        if (response.Header.ResponseCode != DnsHeaderResponseCode.NoError)
            return new(zone.Name, target, ListingState.Error, [], null, $"{response.Header.ResponseCode} from the resolver");
        var answers = response.Answers.ARecords().Select(a => a.Address).ToList();
        if (answers.Count == 0)
            return new(zone.Name, target, ListingState.Error, [], null, "an empty answer where a listing code or NXDOMAIN was expected");
        var readings = answers.Select(Read(zone)).ToList();
        // One error code in the answer makes the whole answer untrustworthy (ZEN answers several codes at once).
        if (readings.OfType<CheckerError>().FirstOrDefault() is { } error)
            return new(zone.Name, target, ListingState.Error, [], null, error.Meaning);
        var codes = readings.OfType<Listing>().Select(l => l.Code).ToList();
        if (codes.Count == 0)
            return new(zone.Name, target, ListingState.Clear, [], null, null);
        return new(zone.Name, target, ListingState.Listed, codes, await TxtAsync(name, ct), null);
    }

    /// <summary>Null when the zone answers its test points as documented, else why it cannot be trusted.</summary>
    public async Task<string?> ProbeAsync(BlocklistZone zone, CancellationToken ct)
    {
        if (zone.TestPoint is null)
            return null;
        var listed = await CheckAsync(zone, zone.TestPoint, ct);
        if (listed.State != ListingState.Listed)
            return $"its test point {zone.TestPoint} is not listed ({listed.Summary})";
        if (zone.Kind == ZoneKind.Ip && await CheckAsync(zone, "127.0.0.1", ct) is { State: not ListingState.Clear } clear)
            return $"its test point 127.0.0.1 is not clear ({clear.Summary})";
        return null;
    }

    private static Func<IPAddress, ZoneCodeReading> Read(BlocklistZone zone) => answer =>
        answer.GetAddressBytes() is [127, ..] ? zone.Read(answer) : new CheckerError($"answer {answer} outside 127.0.0.0/8");

    private async Task<string?> TxtAsync(string name, CancellationToken ct)
    {
        var (response, failure) = await QueryAsync(name, QueryType.TXT, ct);
        return failure is null && response!.Answers.TxtRecords().Select(t => string.Concat(t.Text)).ToList() is { Count: > 0 } texts
            ? string.Join(" | ", texts) : null;
    }

    private async Task<(IDnsQueryResponse? Response, string? Failure)> QueryAsync(string name, QueryType type, CancellationToken ct)
    {
        try
        {
            var response = await dns.QueryAsync(name, type, cancellationToken: ct);
            return response.HasError && response.Header.ResponseCode == DnsHeaderResponseCode.NoError
                ? (null, response.ErrorMessage) : (response, null);
        }
        catch (DnsResponseException e)
        {
            return (null, e.Code == DnsResponseCode.ConnectionTimeout ? "the resolver did not answer in time" : e.Message);
        }
    }
}
