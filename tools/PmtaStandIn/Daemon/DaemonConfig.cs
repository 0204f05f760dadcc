using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace PmtaStandIn.Daemon;

/// <summary>What a `&lt;source&gt;` chain (0/0 → CIDR → IP, merged) says about a connecting client.</summary>
public sealed record SourceSettings(bool AlwaysAllowRelaying, bool ProcessXVirtualMta, bool RetainXVirtualMta, string? DefaultVirtualMta);

/// <summary>The effective `&lt;domain&gt;` settings of one queue (domain/vmta), after inheritance (reference §1.4).</summary>
public sealed record QueueSettings(
    Rate MaxMsgRate, Rate BackoffMaxMsgRate, int MaxSmtpOut, int BackoffMaxSmtpOut,
    TimeSpan[] RetryAfter, TimeSpan[] BackoffRetryAfter, TimeSpan BounceAfter, TimeSpan? BackoffToNormalAfter,
    string? SmtpPatternList)
{
    public static QueueSettings From(IReadOnlyDictionary<string, string> d)
    {
        string? Value(string key) => d.TryGetValue(key, out var v) ? v : null;
        var maxMsgRate = Value("max-msg-rate") is { } rate ? ConfigValues.ParseRate(rate) : Rate.Unlimited;
        var maxSmtpOut = Value("max-smtp-out") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 20;
        return new QueueSettings(
            maxMsgRate,
            Value("backoff-max-msg-rate") is { } backoffRate ? ConfigValues.ParseRate(backoffRate) : maxMsgRate,
            Math.Max(1, maxSmtpOut),
            Math.Max(1, Value("backoff-max-smtp-out") is { } b ? int.Parse(b, CultureInfo.InvariantCulture) : maxSmtpOut),
            Value("retry-after") is { } retry ? ConfigValues.ParseIntervalList(retry) : [TimeSpan.FromMinutes(10)],
            Value("backoff-retry-after") is { } backoffRetry ? ConfigValues.ParseIntervalList(backoffRetry) : [TimeSpan.FromHours(1)],
            Value("bounce-after") is { } bounce ? ConfigValues.ParseInterval(bounce) ?? TimeSpan.MaxValue : TimeSpan.FromHours(4 * 24 + 12),
            Value("backoff-to-normal-after") is { } toNormal ? ConfigValues.ParseInterval(toNormal) : null,
            Value("smtp-pattern-list"));
    }
}

public sealed record VirtualMta(string Name, IReadOnlyList<string> SourceIps, string HostName, Rate MaxSmtpMsgRate, IReadOnlyList<ConfigBlock> DomainBlocks);

public sealed record VirtualMtaPool(string Name, IReadOnlyList<string> Members, IReadOnlyList<ConfigBlock> DomainBlocks);

/// <summary>One `reply /regex/ actions` line of an `&lt;smtp-pattern-list&gt;`.</summary>
public sealed record ReplyPattern(Regex Reply, IReadOnlyList<string> Actions);

public sealed record AcctFileConfig(string Path, IReadOnlyList<string> Records, IReadOnlyDictionary<string, string> RecordFields, long MaxSize);

/// <summary>The parts of a PowerMTA config the daemon acts on, read from the generic block tree.</summary>
public sealed class DaemonConfig
{
    public const string DefaultVmta = "{default}";

    private readonly List<(IPAddress Network, int Prefix, ConfigBlock Block)> _sources = [];
    private readonly List<ConfigBlock> _topDomains;
    private readonly Dictionary<string, string[]> _macros = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<ReplyPattern>> _patternLists = new(StringComparer.OrdinalIgnoreCase);

    private DaemonConfig(ConfigBlock root)
    {
        HostName = root.All("host-name").FirstOrDefault() ?? Dns.GetHostName();
        SmtpPort = root.Get("smtp-listener") is { } listener ? int.Parse(listener.Split(' ')[0].Split(':')[^1], CultureInfo.InvariantCulture) : 25;
        MgmtPort = root.Get("http-mgmt-port") is { } mgmt ? int.Parse(mgmt, CultureInfo.InvariantCulture) : 8080;
        foreach (var macro in root.All("domain-macro"))
        {
            var parts = macro.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            _macros[parts[0]] = parts.Length > 1 ? parts[1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [];
        }
        foreach (var source in root.Blocks("source"))
            if (TryParseCidr(source.Argument, out var network, out var prefix))
                _sources.Add((network, prefix, source));
        _topDomains = root.Blocks("domain").ToList();

        var globalSourceIps = SourceIps(root);
        var vmtas = new Dictionary<string, VirtualMta>(StringComparer.OrdinalIgnoreCase)
        {
            [DefaultVmta] = new(DefaultVmta, globalSourceIps, HostName, Rate.Unlimited, []),
        };
        foreach (var block in root.Blocks("virtual-mta"))
        {
            var ips = SourceIps(block);
            vmtas[block.Argument] = new VirtualMta(block.Argument, ips.Count > 0 ? ips : globalSourceIps, block.Get("host-name") ?? HostName,
                block.Get("max-smtp-msg-rate") is { } rate ? ConfigValues.ParseRate(rate) : Rate.Unlimited, block.Blocks("domain").ToList());
        }
        VirtualMtas = vmtas;
        var pools = new Dictionary<string, VirtualMtaPool>(StringComparer.OrdinalIgnoreCase);
        foreach (var block in root.Blocks("virtual-mta-pool"))
        {
            if (vmtas.ContainsKey(block.Argument))
                throw new ConfigException($"Error: pool {block.Argument} has the name of a virtual MTA");
            var members = block.All("virtual-mta").Select(m => m.Trim()).ToList();
            if (members.FirstOrDefault(m => !vmtas.ContainsKey(m)) is { } unknown)
                throw new ConfigException($"Error: pool {block.Argument} names unknown virtual MTA {unknown}");
            pools[block.Argument] = new VirtualMtaPool(block.Argument, members, block.Blocks("domain").ToList());
        }
        Pools = pools;

        foreach (var list in root.Blocks("smtp-pattern-list"))
            _patternLists[list.Argument] = list.All("reply").Select(ParseReplyPattern).ToList();
        AcctFiles = root.Blocks("acct-file").Select(ParseAcctFile).ToList();

        // Fail the load (and keep the previous config) on a value the queues would only trip over later.
        foreach (var block in _topDomains.Concat(vmtas.Values.SelectMany(v => v.DomainBlocks)).Concat(pools.Values.SelectMany(p => p.DomainBlocks)))
            QueueSettings.From(block.Directives.ToDictionary(d => d.Key, d => d.Value, StringComparer.OrdinalIgnoreCase));
    }

    public string HostName { get; }
    public int SmtpPort { get; }
    public int MgmtPort { get; }
    public IReadOnlyDictionary<string, VirtualMta> VirtualMtas { get; }
    public IReadOnlyDictionary<string, VirtualMtaPool> Pools { get; }
    public IReadOnlyList<AcctFileConfig> AcctFiles { get; }

    public static DaemonConfig Load(string path)
    {
        try
        {
            return new DaemonConfig(ConfigFile.Parse(path));
        }
        catch (Exception e) when (e is FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new ConfigException($"Error in {path}: {e.Message}");
        }
    }

    public SourceSettings ForClient(IPAddress client)
    {
        if (client.IsIPv4MappedToIPv6)
            client = client.MapToIPv4();
        var merged = Merge(_sources.Where(s => InNetwork(client, s.Network, s.Prefix)).OrderBy(s => s.Prefix).Select(s => s.Block));
        bool Flag(string key) => merged.TryGetValue(key, out var v) && ConfigValues.ParseBool(v);
        return new SourceSettings(Flag("always-allow-relaying"), Flag("process-x-virtual-mta"), Flag("retain-x-virtual-mta"),
            merged.TryGetValue("default-virtual-mta", out var vmta) ? vmta : null);
    }

    /// <summary>
    /// Settings for a queue: top-level, then pool-level (pools the VMTA belongs to), then VMTA-level `&lt;domain&gt;`
    /// blocks, each level ordered from `*` to the exact domain, later entries overriding earlier ones.
    /// </summary>
    public QueueSettings ForQueue(string domain, string vmta)
    {
        var levels = new List<IEnumerable<ConfigBlock>> { _topDomains };
        levels.AddRange(Pools.Values.Where(p => p.Members.Contains(vmta, StringComparer.OrdinalIgnoreCase)).Select(p => p.DomainBlocks));
        if (VirtualMtas.TryGetValue(vmta, out var v))
            levels.Add(v.DomainBlocks);
        var chain = levels.SelectMany(level => level
            .Select(block => (block, rank: MatchRank(block.Argument, domain)))
            .Where(m => m.rank >= 0)
            .OrderBy(m => m.rank)
            .Select(m => m.block));
        return QueueSettings.From(Merge(chain));
    }

    public ReplyPattern? MatchReply(string? listName, string reply) =>
        listName is not null && _patternLists.TryGetValue(listName, out var list) ? list.FirstOrDefault(p => p.Reply.IsMatch(reply)) : null;

    private static Dictionary<string, string> Merge(IEnumerable<ConfigBlock> chain)
    {
        var merged = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var block in chain)
            foreach (var (key, value) in block.Directives)
                merged[key] = value;
        return merged;
    }

    /// <summary>-1 = no match; higher = more specific: `*` &lt; `*.x` &lt; `[*.]x` &lt; `$macro` &lt; exact.</summary>
    private int MatchRank(string pattern, string domain)
    {
        if (pattern == "*")
            return 0;
        if (pattern.StartsWith("[*.]", StringComparison.Ordinal))
            return domain.Equals(pattern[4..], StringComparison.OrdinalIgnoreCase) || domain.EndsWith("." + pattern[4..], StringComparison.OrdinalIgnoreCase) ? 2 : -1;
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
            return domain.EndsWith(pattern[1..], StringComparison.OrdinalIgnoreCase) ? 1 : -1;
        if (pattern.StartsWith('$'))
            return _macros.TryGetValue(pattern[1..], out var domains) && domains.Contains(domain, StringComparer.OrdinalIgnoreCase) ? 3 : -1;
        return pattern.Equals(domain, StringComparison.OrdinalIgnoreCase) ? 4 : -1;
    }

    private static List<string> SourceIps(ConfigBlock block) =>
        block.All("smtp-source-host").Select(v => v.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[0]).ToList();

    private static ReplyPattern ParseReplyPattern(string value)
    {
        var end = value.LastIndexOf('/');
        if (!value.StartsWith('/') || end <= 0)
            throw new ConfigException($"Error: smtp-pattern-list reply needs a /regex/: {value}");
        var actions = value[(end + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ReplyPattern(new Regex(value[1..end], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), actions);
    }

    private static AcctFileConfig ParseAcctFile(ConfigBlock block)
    {
        var records = (block.Get("records") ?? "d,b").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(AccountingFields.ShortType).ToList();
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in block.All("record-fields"))
        {
            var parts = line.Split((char[])[' ', '\t'], 2, StringSplitOptions.RemoveEmptyEntries);
            fields[AccountingFields.ShortType(parts[0])] = parts.Length > 1 ? parts[1] : "*";
        }
        return new AcctFileConfig(block.Argument, records, fields, block.Get("max-size") is { } size ? ConfigValues.ParseSize(size) : 250L << 20);
    }

    private static bool TryParseCidr(string text, out IPAddress network, out int prefix)
    {
        network = IPAddress.Any;
        prefix = 32;
        var slash = text.IndexOf('/');
        var address = slash >= 0 ? text[..slash] : text;
        if (slash >= 0 && !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
            return false;
        // PowerMTA accepts short forms such as 0/0 and 10/8.
        var octets = address.Split('.');
        if (octets.Length is < 1 or > 4 || octets.Any(o => !byte.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            return false;
        network = IPAddress.Parse(string.Join('.', octets.Concat(Enumerable.Repeat("0", 4 - octets.Length))));
        return prefix is >= 0 and <= 32;
    }

    private static bool InNetwork(IPAddress client, IPAddress network, int prefix)
    {
        if (client.AddressFamily != AddressFamily.InterNetwork)
            return prefix == 0;
        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        return (ToUInt(client) & mask) == (ToUInt(network) & mask);
    }

    private static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
    }
}
