using EmailEngine.Data;
using EmailEngine.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace EmailEngine.Dkim;

/// <summary>The last scheduled verification of every sending domain's records (DKIM, SPF, DMARC, PTR/FCrDNS, MX).</summary>
public sealed class DnsHealthMemory
{
    public readonly Lock Gate = new();
    public DateTimeOffset? CheckedAt;
    public IReadOnlyList<DnsVerifyResponse> Domains = [];

    /// <summary>One domain's result in the last sweep, and when that sweep ran; nulls when it was not checked.</summary>
    public (DnsVerifyResponse? Check, DateTimeOffset? At) Last(string domain)
    {
        lock (Gate)
            return Domains.FirstOrDefault(d => d.Domain == domain) is { } check ? (check, CheckedAt) : (null, null);
    }
}

/// <summary>Verifies the records of every sending domain with the same verifier as <c>POST /api/v1/domains/{domain}/dns/verify</c>.</summary>
public sealed class DnsHealthSweep(DomainRegistry registry, DnsVerifier verifier, DnsHealthMemory memory, TimeProvider clock)
{
    public async Task<IReadOnlyList<DnsVerifyResponse>> RunAsync(CancellationToken ct)
    {
        var results = new List<DnsVerifyResponse>();
        foreach (var domain in await registry.ListAsync(ct))
            results.Add(await verifier.VerifyDomainAsync(domain, ct));
        lock (memory.Gate)
            (memory.Domains, memory.CheckedAt) = (results, clock.GetUtcNow());
        return results;
    }
}

/// <summary>How often the sending domains' DNS records are checked: <c>DNS_CHECK_HOURS</c> (6; 0 = off).</summary>
public sealed record DnsCheckOptions(TimeSpan Every)
{
    public static DnsCheckOptions From(EngineSettings settings) => new(TimeSpan.FromHours(settings.Whole("DNS_CHECK_HOURS", 6, min: 0)));
}

/// <summary>Every <c>DNS_CHECK_HOURS</c>: a record that disappeared or changed shows in <c>GET /api/v1/health</c>.</summary>
internal sealed class DnsHealthWorker(IServiceScopeFactory scopes, DnsCheckOptions options, DatabaseMigrator migrator, TimeProvider clock,
    ILogger<DnsHealthWorker> logger) : PeriodicWorker(migrator, clock, logger)
{
    protected override TimeSpan Interval => options.Every;

    protected override string RoundName => "DNS check of the sending domains";

    protected override async Task RunRoundAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<DnsHealthSweep>().RunAsync(ct);
    }
}

/// <summary>Degraded when a record is missing or differs; an unanswered query is reported apart (nothing can be concluded).</summary>
internal sealed class DnsHealthCheck(DnsHealthMemory memory) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        IReadOnlyList<DnsVerifyResponse> domains;
        DateTimeOffset? at;
        lock (memory.Gate)
            (domains, at) = (memory.Domains, memory.CheckedAt);
        if (at is null)
            return Task.FromResult(HealthCheckResult.Healthy("not checked yet"));
        var wrong = domains.SelectMany(d => d.Records.Where(r => r.Status is "missing" or "mismatch").Select(r => $"{r.Type} {r.Name} {r.Status}")).ToList();
        var unknown = domains.SelectMany(d => d.Records.Where(r => r.Status == "error").Select(r => $"{r.Type} {r.Name}")).ToList();
        var data = new Dictionary<string, object> { ["checked_at"] = at.Value, ["domains"] = domains.Count, ["wrong"] = wrong, ["unanswered"] = unknown };
        return Task.FromResult(wrong.Count > 0 ? HealthCheckResult.Degraded($"DNS records wrong: {string.Join("; ", wrong.Take(10))}", data: data)
            : unknown.Count > 0 ? HealthCheckResult.Degraded($"DNS did not answer for {string.Join("; ", unknown.Take(10))}", data: data)
            : HealthCheckResult.Healthy($"{domains.Count} domain(s) verified", data));
    }
}
