using EmailEngine.Http;

namespace EmailEngine.Dkim;

/// <summary><c>dns_check</c> is null when the switch was forced.</summary>
public sealed record ActivationResponse(DomainResponse Domain, RecordCheck? DnsCheck, bool Forced);

/// <summary>
/// Key rotation without a signing gap: <c>rotate</c> adds a pending key under a new selector (publish its record
/// next to the old one and deploy, so PowerMTA has the file); <c>activate</c> switches signing to it once DNS serves
/// the new record (or with <c>force</c>) and retires the old key.
/// </summary>
public static class DkimRotation
{
    public static async Task<IResult> Rotate(string key, RotateKeyRequest? request, DomainRegistry registry, CancellationToken ct)
    {
        if (await DomainEndpoints.FindAsync(key, registry, ct) is not { } domain)
            return DomainEndpoints.NotFound(key);
        var rotated = await registry.RotateAsync(domain.Domain, request?.Selector, ct);
        return rotated.ToHttp(_ => TypedResults.Created($"/api/v1/domains/{domain.Domain.Id}", DomainResponse.From(domain)));
    }

    public static async Task<IResult> Activate(string key, ActivateKeyRequest? request, DomainRegistry registry, DnsVerifier verifier,
        CancellationToken ct)
    {
        if (await DomainEndpoints.FindAsync(key, registry, ct) is not { } domain)
            return DomainEndpoints.NotFound(key);
        var activated = await registry.ActivateAsync(domain, request?.Force ?? false, verifier, ct);
        return activated.ToHttp(check => TypedResults.Ok(new ActivationResponse(DomainResponse.From(domain), check, check is null)));
    }
}
