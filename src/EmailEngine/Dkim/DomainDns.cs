using EmailEngine.Http;

namespace EmailEngine.Dkim;

public sealed record DnsRecordResponse(string Kind, string Type, string Name, string Value, IReadOnlyList<string> Strings, string Comment, int Ttl)
{
    public static DnsRecordResponse From(DnsRecord r) => new(r.Kind, r.Type, r.Name, r.Value, r.Strings, r.Comment, DnsRecords.Ttl);
}

/// <summary>With <c>?format=zone</c> the answer is only <c>zone</c>, as text/plain.</summary>
public sealed record DnsRecordsResponse(string Domain, IEnumerable<DnsRecordResponse> Records, string Zone);

/// <summary><c>ok</c>: every record is present as expected.</summary>
public sealed record DnsVerifyResponse(string Domain, bool Ok, IReadOnlyList<RecordCheck> Records);

/// <summary>The records a domain needs (JSON, or zone lines with <c>?format=zone</c>) and their check against live DNS.</summary>
public static class DomainDns
{
    public static async Task<IResult> Records(string key, string? format, DomainRegistry registry, CancellationToken ct)
    {
        if (format is not (null or "json" or "zone"))
            return Failure.Field("format", "must be json or zone").ToProblem();
        if (await DomainEndpoints.FindAsync(key, registry, ct) is not { } domain)
            return DomainEndpoints.NotFound(key);
        var records = DnsRecords.For(domain.Domain, domain.Ips);
        var zone = DnsRecords.Zone(domain.Domain.Name, records);
        return format == "zone"
            ? TypedResults.Text(zone, "text/plain")
            : TypedResults.Ok(new DnsRecordsResponse(domain.Domain.Name, records.Select(DnsRecordResponse.From), zone));
    }

    public static async Task<IResult> Verify(string key, DomainRegistry registry, DnsVerifier verifier, CancellationToken ct)
    {
        if (await DomainEndpoints.FindAsync(key, registry, ct) is not { } domain)
            return DomainEndpoints.NotFound(key);
        return TypedResults.Ok(await verifier.VerifyDomainAsync(domain, ct));
    }
}
