using System.Net;
using System.Text.RegularExpressions;

namespace EmailEngine.PowerMta.Config;

/// <summary>One problem found in a config; <c>error</c> means PowerMTA or Email-Engine would not work with it.</summary>
public sealed record ConfigFinding(string Severity, int Line, int Column, string Message)
{
    public const string Error = "error";
    public const string Warning = "warning";
}

/// <summary>The pool a registered IP sends in, and the tenant that owns it (null for a shared IP).</summary>
public sealed record IpPool(string Pool, string? Tenant);

/// <summary>
/// What the config must agree with: the registered sending IPs, the DKIM key files Email-Engine deploys, and the pool
/// each registered IP belongs to (by address).
/// </summary>
public sealed record ValidationContext(IReadOnlySet<string> RegisteredIps, IReadOnlySet<string> KnownKeyFiles,
    IReadOnlyDictionary<string, IpPool>? PoolOfIp = null);

/// <summary>
/// Semantic checks on a parsed config, beyond syntax: virtual MTAs bound to registered IPs, known DKIM key files,
/// one namespace for virtual MTAs and pools, an IP in one pool at most and a tenant's pool holding only its own IPs,
/// references (members, targets, pattern lists, domain macros) that resolve, rate and time syntax, a listener, a closed
/// management port.
/// </summary>
public static partial class ValidateConfig
{
    private static readonly HashSet<string> RateDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "max-msg-rate", "backoff-max-msg-rate", "max-connect-rate", "max-smtp-msg-rate", "source-ip-max-msg-rate",
        "source-ip-max-connect-rate", "smtp-max-auth-failure-rate",
    };

    private static readonly HashSet<string> TimeDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "retry-after", "backoff-retry-after", "bounce-after", "backoff-to-normal-after", "retry-recipients-after",
        "retry-after-dns-error", "connect-timeout", "smtp-greeting-timeout", "data-send-timeout", "connection-idle-timeout",
    };

    private static readonly HashSet<string> VmtaReferences = new(StringComparer.OrdinalIgnoreCase)
    {
        "default-virtual-mta", "reroute-to-virtual-mta", "backoff-reroute-to-virtual-mta", "invalid-virtual-mta-fallback", "cold-virtual-mta",
    };

    [GeneratedRegex(@"^(unlimited|0|\d+/\d*(d|day|h|hr|m|min|s|sec))$", RegexOptions.IgnoreCase)]
    private static partial Regex Rate();

    [GeneratedRegex(@"^(\d+[wdhms])+$", RegexOptions.IgnoreCase)]
    private static partial Regex Interval();

    public static IReadOnlyList<ConfigFinding> Check(ConfigDocument document, ValidationContext context)
    {
        var findings = new List<ConfigFinding>();
        void Error(ConfigNode at, string message) => findings.Add(new(ConfigFinding.Error, at.Line, at.Column, message));
        void Warning(ConfigNode at, string message) => findings.Add(new(ConfigFinding.Warning, at.Line, at.Column, message));

        var names = new Dictionary<string, Block>(StringComparer.OrdinalIgnoreCase);
        var vmtas = document.Blocks("virtual-mta").ToList();
        var pools = document.Blocks("virtual-mta-pool").ToList();
        foreach (var block in vmtas.Concat(pools).OrderBy(b => b.Line))
        {
            if (names.TryGetValue(block.Argument, out var first))
                Error(block, $"name '{block.Argument}' is already used by <{first.Name}> at line {first.Line} (virtual MTAs and pools share one namespace)");
            else
                names[block.Argument] = block;
        }
        foreach (var vmta in vmtas)
            CheckVirtualMta(vmta, context, Error);
        foreach (var pool in pools)
        {
            foreach (var member in pool.Directives("virtual-mta"))
                if (!vmtas.Any(v => v.Argument.Equals(member.Value, StringComparison.OrdinalIgnoreCase)))
                    Error(member, $"pool '{pool.Argument}' lists virtual MTA '{member.Value}', which is not defined");
        }
        CheckPoolOwners(vmtas, pools, context, Error);

        var patternLists = document.Blocks("smtp-pattern-list").Select(b => b.Argument).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (directive, _) in document.AllDirectives())
            CheckDirective(directive, context, names, patternLists, Error, Warning);

        var macros = document.DomainMacros();
        foreach (var (domain, _) in document.AllBlocks().Where(b => b.Block.Is("domain") && b.Block.Argument.StartsWith('$')))
            if (!macros.ContainsKey(domain.Argument[1..]))
                Error(domain, $"domain-macro {domain.Argument[1..]} is not defined");

        if (!document.Directives("smtp-listener").Any() && !document.Blocks("smtp-listener").Any())
            findings.Add(new(ConfigFinding.Error, 1, 1, "no smtp-listener: PowerMTA would listen on 0.0.0.0:25 only, and MailWizz relays to port 2525"));
        foreach (var access in document.Directives("http-access"))
            if (access.Arguments is [var cidr, var level, ..] && cidr is "0/0" or "0.0.0.0/0" && !level.Equals("none", StringComparison.OrdinalIgnoreCase))
                Warning(access, $"HTTP management grants '{level}' to every address; keep it on 127.0.0.1");
        return findings.OrderBy(f => f.Line).ThenBy(f => f.Column).ToList();
    }

    private static void CheckVirtualMta(Block vmta, ValidationContext context, Action<ConfigNode, string> error)
    {
        var sources = vmta.Directives("smtp-source-host").ToList();
        if (sources.Count == 0)
            error(vmta, $"virtual MTA '{vmta.Argument}' has no smtp-source-host");
        foreach (var source in sources)
        {
            var ip = source.Arguments.FirstOrDefault() ?? "";
            if (!IPAddress.TryParse(ip, out _))
                error(source, $"smtp-source-host needs an IP address first, got '{ip}'");
            else if (!context.RegisteredIps.Contains(ip))
                error(source, $"IP {ip} of virtual MTA '{vmta.Argument}' is not registered (POST /api/v1/ips)");
            if (source.Arguments.Count < 2)
                error(source, "smtp-source-host needs the HELO host name after the IP");
        }
    }

    /// <summary>
    /// A pool's members by their IPs (smtp-source-host): each IP sends in one pool at most, a tenant's pool holds only
    /// that tenant's IPs, and a tenant's IP is in no other pool; so one tenant's mail never builds or spends another's
    /// reputation.
    /// </summary>
    private static void CheckPoolOwners(List<Block> vmtas, List<Block> pools, ValidationContext context, Action<ConfigNode, string> error)
    {
        var owners = context.PoolOfIp ?? new Dictionary<string, IpPool>();
        var tenantOfPool = owners.Values.Where(o => o.Tenant is not null).DistinctBy(o => o.Pool, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(o => o.Pool, o => o.Tenant!, StringComparer.OrdinalIgnoreCase);
        var ipsOf = vmtas.GroupBy(v => v.Argument, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key,
            g => g.SelectMany(v => v.Directives("smtp-source-host")).Select(d => d.Arguments.FirstOrDefault() ?? "").ToList(), StringComparer.OrdinalIgnoreCase);
        var firstPoolOf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pool in pools)
            foreach (var member in pool.Directives("virtual-mta"))
                foreach (var ip in ipsOf.GetValueOrDefault(member.Value) ?? [])
                {
                    var where = $"IP {ip} (virtual MTA '{member.Value}')";
                    if (!firstPoolOf.TryAdd(ip, pool.Argument) && !firstPoolOf[ip].Equals(pool.Argument, StringComparison.OrdinalIgnoreCase))
                        error(member, $"{where} is already in pool '{firstPoolOf[ip]}': an IP sends in one pool only");
                    var owner = owners.GetValueOrDefault(ip);
                    if (tenantOfPool.TryGetValue(pool.Argument, out var tenant) && owner?.Tenant != tenant)
                        error(member, $"pool '{pool.Argument}' is tenant {tenant}'s, but {where} is "
                            + (owner is null ? "not registered" : owner.Tenant is { } other ? $"tenant {other}'s" : $"shared ({owner.Pool})"));
                    else if (owner?.Tenant is { } ownerTenant && !owner.Pool.Equals(pool.Argument, StringComparison.OrdinalIgnoreCase))
                        error(member, $"{where} is tenant {ownerTenant}'s: it sends in {owner.Pool} only, not in '{pool.Argument}'");
                }
    }

    private static void CheckDirective(Directive directive, ValidationContext context, Dictionary<string, Block> names,
        HashSet<string> patternLists, Action<ConfigNode, string> error, Action<ConfigNode, string> warning)
    {
        var value = directive.Value.Trim();
        if (directive.Is("domain-key"))
        {
            var fields = value.Split(',', StringSplitOptions.TrimEntries);
            if (fields.Length != 3 || fields.Any(f => f.Length == 0))
                error(directive, $"domain-key needs SELECTOR,DOMAIN,KEYFILE, got '{value}'");
            else if (!context.KnownKeyFiles.Contains(fields[2]))
                error(directive, $"key file {fields[2]} is not a DKIM key Email-Engine deploys"
                    + (context.KnownKeyFiles.Count > 0 ? $" (known: {string.Join(", ", context.KnownKeyFiles.Order())})" : " (no sending domain is registered)"));
        }
        else if (RateDirectives.Contains(directive.Name) && !Rate().IsMatch(value))
            error(directive, $"{directive.Name} '{value}' is not a rate (N/h, N/m, N/s, N/d, N/15m… or unlimited)");
        else if (TimeDirectives.Contains(directive.Name) && !(directive.Is("backoff-to-normal-after") && value.Equals("never", StringComparison.OrdinalIgnoreCase))
                 && !value.Split(',', StringSplitOptions.TrimEntries).All(Interval().IsMatch))
            error(directive, $"{directive.Name} '{value}' is not a time interval (e.g. 10m, 1h, 4d12h; comma list for retries)");
        else if (directive.Is("include") && directive.Included is null)
            warning(directive, $"included file {value} is not checked (only the text sent is validated)");
        else if (directive.Is("smtp-pattern-list") && !patternLists.Contains(value))
            error(directive, $"smtp-pattern-list '{value}' is not defined");
        else if (VmtaReferences.Contains(directive.Name) && !names.ContainsKey(value) && !value.StartsWith('{') && !value.Equals("by-smtp-source-ip", StringComparison.OrdinalIgnoreCase))
            error(directive, $"{directive.Name} '{value}' is neither a virtual MTA nor a pool");
    }
}
