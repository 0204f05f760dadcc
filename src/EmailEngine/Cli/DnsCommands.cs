using System.CommandLine;
using EmailEngine.Dkim;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class DnsCommands
{
    public static Command Build()
    {
        var dns = new Command("dns", "DNS records of the sending domains: what to publish, and whether it is published.");

        var recordsDomain = new Argument<string?>("DOMAIN") { Description = "Only this domain", Arity = ArgumentArity.ZeroOrOne };
        var zone = new Option<bool>("--zone") { Description = "Print copy-paste zone file lines" };
        var records = new Command("records", "The DKIM, SPF, DMARC, A/AAAA and PTR records to publish.") { recordsDomain, zone };
        records.SetAction((result, ct) => DkimCommands.WithDomainsAsync(async (registry, _, token) =>
        {
            if (await DomainsAsync(registry, result.GetValue(recordsDomain), token) is not { } domains)
                return 1;
            var table = new Table().AddColumns("domain", "type", "name", "value");
            foreach (var domain in domains)
            {
                var list = DnsRecords.For(domain.Domain, domain.Ips);
                if (result.GetValue(zone))
                    Console.Write(DnsRecords.Zone(domain.Domain.Name, list) + "\n");
                else
                    foreach (var record in list)
                        table.AddRow(Markup.Escape(domain.Domain.Name), record.Type, Markup.Escape(record.Name), Markup.Escape(record.Value));
            }
            if (!result.GetValue(zone))
                AnsiConsole.Write(table);
            return 0;
        }, ct));

        var verifyDomain = new Argument<string?>("DOMAIN") { Description = "Only this domain", Arity = ArgumentArity.ZeroOrOne };
        var verify = new Command("verify", "Ask DNS (DNS_SERVERS or the system's) for every record; exit 1 unless all are present.") { verifyDomain };
        verify.SetAction((result, ct) => DkimCommands.WithDomainsAsync(async (registry, services, token) =>
        {
            if (await DomainsAsync(registry, result.GetValue(verifyDomain), token) is not { } domains)
                return 1;
            var verifier = services.GetRequiredService<DnsVerifier>();
            var table = new Table().AddColumns("domain", "type", "name", "status", "found", "detail");
            var allPresent = true;
            foreach (var domain in domains)
            {
                var verified = await verifier.VerifyDomainAsync(domain, token);
                allPresent &= verified.Ok;
                foreach (var check in verified.Records)
                {
                    var color = check.Status switch { "present" => "green", "missing" => "yellow", _ => "red" };
                    table.AddRow(Markup.Escape(domain.Domain.Name), check.Type, Markup.Escape(check.Name), $"[{color}]{check.Status}[/]",
                        Markup.Escape(string.Join("\n", check.Found)), Markup.Escape(check.Detail ?? ""));
                }
            }
            AnsiConsole.Write(table);
            return allPresent ? 0 : 1;
        }, ct));

        dns.Add(records);
        dns.Add(verify);
        return dns;
    }

    private static async Task<IReadOnlyList<DomainWithIps>?> DomainsAsync(DomainRegistry registry, string? name, CancellationToken ct)
    {
        if (name is null)
            return await registry.ListAsync(ct);
        if (await registry.FindAsync(name, ct) is { } one)
            return [one];
        Console.Error.WriteLine($"{name}: no such sending domain (register an IP with a HELO host in it, or run `dkim keygen {name}`)");
        return null;
    }
}
