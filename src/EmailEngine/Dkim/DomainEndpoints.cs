using EmailEngine.Http;
using EmailEngine.Ips;

namespace EmailEngine.Dkim;

public sealed record CreateDomainRequest(string? Domain);
public sealed record RotateKeyRequest(string? Selector);
public sealed record ActivateKeyRequest(bool? Force);

public sealed record DomainIpResponse(long Id, string Ip, string Helo, string Status, string Vmta);

/// <summary>A DKIM key as the API shows it: never the private key.</summary>
public sealed record DkimKeyResponse(string Selector, string Status, string DnsName, string PublicKey, string Fingerprint,
    DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, DateTimeOffset? RetiredAt)
{
    public static DkimKeyResponse From(string domain, DkimKey key) => new(key.Selector, key.Status.ToString().ToLowerInvariant(),
        $"{key.Selector}._domainkey.{domain}", key.PublicKey, key.Fingerprint, key.CreatedAt, key.ActivatedAt, key.RetiredAt);
}

public sealed record DomainResponse(long Id, string Domain, string? Selector, IReadOnlyList<DomainIpResponse> Ips,
    IReadOnlyList<DkimKeyResponse> DkimKeys, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static DomainResponse From(DomainWithIps d) => new(d.Domain.Id, d.Domain.Name, d.Domain.ActiveKey?.Selector,
        d.Ips.Select(ip => new DomainIpResponse(ip.Id, ip.Address, ip.Domain, IpStatuses.ToWire(ip.Status), ip.VmtaName)).ToList(),
        d.Domain.Keys.OrderBy(k => k.Status).ThenByDescending(k => k.Id).Select(k => DkimKeyResponse.From(d.Domain.Name, k)).ToList(),
        d.Domain.CreatedAt, d.Domain.UpdatedAt);
}

/// <summary>
/// Sending domains, their DKIM keys and DNS records. Reading is open to any key (the records are public DNS data
/// anyway); creating, rotating and activating keys is for the operator. <c>{key}</c> is the id or the domain name.
/// </summary>
public static class DomainEndpoints
{
    public static IEndpointRouteBuilder MapDomainEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/domains").WithTags("Domains").AddEndpointFilter<DkimUnavailableFilter>();
        group.MapGet("/", List).WithName("ListDomains")
            .Produces<ItemList<DomainResponse>>();
        group.MapPost("/", Create).WithName("CreateDomain").RequireOperator()
            .Produces<DomainResponse>(201).ProducesValidationProblem().ProducesValidationProblem(409);
        group.MapGet("/{key}", Get).WithName("GetDomain")
            .Produces<DomainResponse>().ProducesProblem(404);
        // 409: a key is already pending, or the selector was used before.
        group.MapPost("/{key}/dkim/rotate", DkimRotation.Rotate).WithName("RotateDkimKey").RequireOperator()
            .Produces<DomainResponse>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        // 409: no pending key, or DNS does not serve it yet (send force to switch anyway).
        group.MapPost("/{key}/dkim/activate", DkimRotation.Activate).WithName("ActivateDkimKey").RequireOperator()
            .Produces<ActivationResponse>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409);
        group.MapGet("/{key}/dns", DomainDns.Records).WithName("GetDomainDnsRecords")
            .Produces<DnsRecordsResponse>().ProducesValidationProblem().ProducesProblem(404);
        group.MapPost("/{key}/dns/verify", DomainDns.Verify).WithName("VerifyDomainDns")
            .Produces<DnsVerifyResponse>().ProducesProblem(404);
        return app;
    }

    public static async Task<IResult> List(DomainRegistry registry, CancellationToken ct) =>
        TypedResults.Ok(new ItemList<DomainResponse>((await registry.ListAsync(ct)).Select(DomainResponse.From)));

    /// <summary>A domain already derived from a registered IP is a duplicate too (409), as if it had been created by hand.</summary>
    public static async Task<IResult> Create(CreateDomainRequest request, DomainRegistry registry, CancellationToken ct)
    {
        await registry.EnsureFromIpsAsync(ct);
        var created = await registry.CreateAsync(request.Domain, ct);
        if (!created.IsSuccess)
            return created.Error!.ToProblem();
        var domain = (await registry.FindAsync(created.Value!.Id.ToString(), ct))!;
        return TypedResults.Created($"/api/v1/domains/{domain.Domain.Id}", DomainResponse.From(domain));
    }

    public static async Task<IResult> Get(string key, DomainRegistry registry, CancellationToken ct) =>
        await FindAsync(key, registry, ct) is { } domain ? TypedResults.Ok(DomainResponse.From(domain)) : NotFound(key);

    internal static Task<DomainWithIps?> FindAsync(string key, DomainRegistry registry, CancellationToken ct) => registry.FindAsync(key, ct);

    internal static IResult NotFound(string key) => new Failure.NotFound($"Domain {key} does not exist.").ToProblem();
}
