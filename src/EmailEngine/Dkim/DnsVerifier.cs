using DnsClient;
using DnsClient.Protocol;
using EmailEngine.Common;

namespace EmailEngine.Dkim;

/// <summary>present: DNS has the expected value; missing: no such record; mismatch: a record exists with another
/// value (see found); error: the resolver failed or timed out, so nothing can be concluded.</summary>
public sealed record RecordCheck(string Kind, string Type, string Name, string Expected, string Status, IReadOnlyList<string> Found, string? Detail);

/// <summary>Asks DNS (<see cref="DnsServers"/>) whether each record to publish is there and right.</summary>
public sealed class DnsVerifier(DnsServers servers)
{
    /// <summary>No cache: a verification must see what DNS says now, right after the operator published.</summary>
    private readonly LookupClient _dns = servers.Client(TimeSpan.FromSeconds(3), retries: 1);

    /// <summary>Every record the domain should have published, and whether all of them are there and right.</summary>
    public async Task<DnsVerifyResponse> VerifyDomainAsync(DomainWithIps domain, CancellationToken ct)
    {
        var checks = await VerifyAsync(DnsRecords.For(domain.Domain, domain.Ips), ct);
        return new DnsVerifyResponse(domain.Domain.Name, checks.All(c => c.Status == "present"), checks);
    }

    public async Task<IReadOnlyList<RecordCheck>> VerifyAsync(IReadOnlyList<DnsRecord> records, CancellationToken ct)
    {
        var checks = new List<RecordCheck>();
        foreach (var record in records)
            checks.Add(await VerifyAsync(record, ct));
        return checks;
    }

    public async Task<RecordCheck> VerifyAsync(DnsRecord record, CancellationToken ct)
    {
        var type = record.Type switch { "TXT" => QueryType.TXT, "A" => QueryType.A, "AAAA" => QueryType.AAAA, _ => QueryType.PTR };
        IDnsQueryResponse response;
        try
        {
            response = await _dns.QueryAsync(record.Name, type, cancellationToken: ct);
        }
        catch (DnsResponseException e)
        {
            return Result(record, "error", [], $"DNS query failed: {e.Message}");
        }
        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
            return Result(record, "error", [], $"DNS answered {response.Header.ResponseCode}");
        var found = response.Answers.Select(answer => answer switch
        {
            TxtRecord txt => string.Concat(txt.Text),
            ARecord a => a.Address.ToString(),
            AaaaRecord aaaa => aaaa.Address.ToString(),
            PtrRecord ptr => ptr.PtrDomainName.Value.TrimEnd('.').ToLowerInvariant(),
            _ => null,
        }).OfType<string>().ToList();
        return record.Kind switch
        {
            "dkim" => Compare(record, found, value => TagValue(value, "p") == TagValue(record.Value, "p"), "another key is published under this selector"),
            "spf" => CompareSpf(record, found),
            "dmarc" => Compare(record, found.Where(v => v.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase)).ToList() is { Count: > 0 } dmarc ? dmarc : found,
                value => value.StartsWith("v=DMARC1", StringComparison.OrdinalIgnoreCase), "not a DMARC record"),
            "address" => Compare(record, found, value => value == record.Value, $"{record.Name} points elsewhere"),
            _ => Compare(record, found, value => value == record.Value, $"reverse DNS of the IP names another host (FCrDNS fails)"),
        };
    }

    private static RecordCheck Compare(DnsRecord record, List<string> found, Func<string, bool> matches, string mismatch) =>
        found.Count == 0 ? Result(record, "missing", found, null)
        : found.Any(matches) ? Result(record, "present", found, null)
        : Result(record, "mismatch", found, mismatch);

    /// <summary>Only one SPF record may exist (RFC 7208 §4.5), and it must authorise every IP of the domain.</summary>
    private static RecordCheck CompareSpf(DnsRecord record, List<string> found)
    {
        var spf = found.Where(v => v.Split(' ')[0].Equals("v=spf1", StringComparison.OrdinalIgnoreCase)).ToList();
        if (spf.Count == 0)
            return Result(record, "missing", found, found.Count > 0 ? "TXT records exist but none is SPF" : null);
        if (spf.Count > 1)
            return Result(record, "mismatch", spf, "more than one SPF record: receivers treat that as a permanent error");
        var terms = spf[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => t.ToLowerInvariant()).ToHashSet();
        var absent = record.Value.Split(' ').Where(t => t.StartsWith("ip", StringComparison.Ordinal))
            .Where(t => !terms.Contains(t) && !terms.Contains(t + (t.StartsWith("ip4:", StringComparison.Ordinal) ? "/32" : "/128"))).ToList();
        return absent.Count == 0 ? Result(record, "present", spf, null)
            : Result(record, "mismatch", spf, $"does not authorise {string.Join(", ", absent)}");
    }

    /// <summary>A tag's value in a DKIM-style tag list (<c>v=DKIM1; k=rsa; p=…</c>), whitespace removed.</summary>
    internal static string? TagValue(string record, string tag) =>
        record.Split(';').Select(part => part.Split('=', 2)).Where(pair => pair.Length == 2 && pair[0].Trim() == tag)
            .Select(pair => string.Concat(pair[1].Where(c => !char.IsWhiteSpace(c)))).FirstOrDefault();

    private static RecordCheck Result(DnsRecord record, string status, IReadOnlyList<string> found, string? detail) =>
        new(record.Kind, record.Type, record.Name, record.Value, status, found, detail);
}
