using System.CommandLine;
using EmailEngine.Dkim;
using EmailEngine.Http;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class DkimCommands
{
    public static Command Build()
    {
        var dkim = new Command("dkim", "DKIM keys of the sending domains.");
        var domainArgument = new Argument<string?>("DOMAIN") { Description = "Create this domain (and its key) if missing", Arity = ArgumentArity.ZeroOrOne };
        var keygen = new Command("keygen", "Give every sending domain of the registered IPs (and DOMAIN) an RSA-2048 key; show the keys.") { domainArgument };
        keygen.SetAction((result, ct) => WithDomainsAsync(async (registry, _, token) =>
        {
            await registry.EnsureFromIpsAsync(token);
            if (result.GetValue(domainArgument) is { } name && await registry.FindAsync(name, token) is null)
            {
                var created = await registry.CreateAsync(name, token);
                if (created.Error is Failure.Validation invalid)
                {
                    Console.Error.WriteLine($"{name}: {string.Join("; ", invalid.Errors.SelectMany(e => e.Value))}");
                    return 1;
                }
            }
            var table = new Table().AddColumns("domain", "selector", "status", "DNS name", "SHA-256 of the public key");
            foreach (var domain in await registry.ListAsync(token))
                foreach (var key in domain.Domain.Keys.OrderBy(k => k.Status))
                    table.AddRow(domain.Domain.Name, key.Selector, key.Status.ToString().ToLowerInvariant(),
                        $"{key.Selector}._domainkey.{domain.Domain.Name}", key.Fingerprint);
            AnsiConsole.Write(table);
            return 0;
        }, ct));
        dkim.Add(keygen);
        return dkim;
    }

    /// <summary>Runs with the domain registry; a missing DKIM master key is a one-line error, not a stack trace.</summary>
    internal static Task<int> WithDomainsAsync(Func<DomainRegistry, IServiceProvider, CancellationToken, Task<int>> action, CancellationToken ct) =>
        EngineCli.WithServicesAsync(async (services, token) =>
        {
            try
            {
                return await action(services.GetRequiredService<DomainRegistry>(), services, token);
            }
            catch (DkimVaultUnavailableException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
        }, ct);
}
