using System.Net;
using System.Text.RegularExpressions;
using EmailEngine.Http;

namespace EmailEngine.PowerMta.Hosts;

/// <summary>
/// What a registered host may hold. Paths and the pmta command end up in shell commands and in the rendered config,
/// so they are restricted to plain absolute paths (no spaces, quotes or shell syntax).
/// </summary>
public static partial class PmtaHostRules
{
    private const string PathRule = "must be an absolute path of letters, digits, '.', '_', '-' and '/'";

    /// <summary>
    /// Writes the request's fields into <paramref name="host"/>, each checked. <paramref name="partial"/> (PATCH) leaves
    /// fields the request leaves out as they are; otherwise they take their defaults, or are reported when required.
    /// </summary>
    public static void Apply(RegisteredPmtaHost host, PmtaHostRequest request, bool partial, FieldErrors errors)
    {
        var defaults = new RegisteredPmtaHost { Name = "", SshHost = "", KeyFile = "" };
        void Field<T>(string field, T? value, Func<T, string?> check, Action<T?> set, T? fallback, bool required = false) where T : class
        {
            if (value is null)
            {
                if (partial)
                    return;
                if (required)
                    errors.Add(field, "required");
                else
                    set(fallback);
                return;
            }
            if (check(value) is { } reason)
                errors.Add(field, reason);
            else
                set(value);
        }

        void Port(string field, int? value, Action<int> set, int fallback)
        {
            if (value is { } port)
            {
                if (port is < 1 or > 65535)
                    errors.Add(field, "must be from 1 to 65535");
                else
                    set(port);
            }
            else if (!partial)
                set(fallback);
        }

        Field("ssh_host", request.SshHost?.Trim(), CheckHost, v => host.SshHost = v!.ToLowerInvariant(), defaults.SshHost, required: true);
        Port("ssh_port", request.SshPort, p => host.SshPort = p, defaults.SshPort);
        Port("mgmt_port", request.MgmtPort, p => host.MgmtPort = p, defaults.MgmtPort);
        Field("ssh_user", request.SshUser?.Trim(), u => UserPattern().IsMatch(u) ? null : "must be a Unix user name (lower-case letters, digits, '_', '-'; at most 32)",
            v => host.SshUser = v!, defaults.SshUser);
        Field("key_file", request.KeyFile?.Trim(), CheckKeyFile, v => host.KeyFile = v!, defaults.KeyFile, required: true);
        Field("host_key", request.HostKey?.Trim(), k => FingerprintPattern().IsMatch(k) ? null
            : "must be the SHA256 fingerprint ssh-keygen -lf prints, e.g. SHA256:<43 base64 characters>", v => host.HostKey = v?.TrimEnd('='), defaults.HostKey);
        if (request.TrustUnknownHost is not null || !partial)
            host.TrustUnknownHost = request.TrustUnknownHost ?? defaults.TrustUnknownHost;
        Field("config_path", request.ConfigPath?.Trim(), CheckPath, v => host.ConfigPath = v!, defaults.ConfigPath);
        Field("acct_path", request.AcctPath?.Trim(), p => CheckPath(p) ?? (p.EndsWith(".csv", StringComparison.Ordinal) ? null
            : "must name PowerMTA's live accounting file (…/acct.csv): rotated files are found beside it by its name"), v => host.AcctPath = v!, defaults.AcctPath);
        Field("relay_sources", request.RelaySources, CheckRelaySources, v => host.RelaySources = string.Join(',', v!.Select(s => s.Trim())), []);
        Field("smtp_host", request.SmtpHost?.Trim(), CheckHost, v => host.SmtpHost = v?.ToLowerInvariant(), defaults.SmtpHost);
        Field("pmta_command", request.PmtaCommand?.Trim(), c => c == "pmta" ? null : CheckPath(c), v => host.PmtaCommand = v!, defaults.PmtaCommand);
        Field("dkim_dir", request.DkimDir?.Trim(), CheckPath, v => host.DkimDirectory = v!, defaults.DkimDirectory);
        if (host.HostKey is null && !host.TrustUnknownHost && request.HostKey is null)
            errors.Add("host_key", "required: pin the host's key (ssh-keygen -lf on its /etc/ssh/ssh_host_ed25519_key.pub), or set trust_unknown_host");
    }

    private static string? CheckHost(string host) => Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6
        ? null : "must be a host name or an IP address";

    private static string? CheckPath(string path) => PathPattern().IsMatch(path) && !path.Contains("/../") && !path.EndsWith("/..") ? null : PathRule;

    /// <summary>A reference to the key file on the engine's machine: it must be there, but is not read here.</summary>
    private static string? CheckKeyFile(string path) =>
        !Path.IsPathFullyQualified(path) ? "must be the absolute path of the SSH private key file on the engine's machine"
        : !File.Exists(path) ? $"{path} does not exist on the engine's machine"
        : null;

    private static string? CheckRelaySources(IReadOnlyList<string> sources)
    {
        var wrong = sources.Where(s => !IsAddressOrRange(s.Trim())).ToList();
        return wrong.Count == 0 ? null : $"not an IP address or CIDR range: {string.Join(", ", wrong.Select(w => $"'{Common.TextCut.Ellipsis(w, 50)}'"))}";
    }

    /// <summary>An IP or a CIDR range as PowerMTA's <c>&lt;source&gt;</c> takes it; IPv4 in its full dotted form only (not "10.1").</summary>
    private static bool IsAddressOrRange(string text)
    {
        var address = text.Split('/')[0];
        var written = IPAddress.TryParse(address, out var parsed) && (address.Contains(':') || parsed.ToString() == address);
        return written && (text == address || IPNetwork.TryParse(text, out _));
    }

    [GeneratedRegex("^/[A-Za-z0-9._/-]{1,498}$")]
    private static partial Regex PathPattern();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserPattern();

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}=?$")]
    private static partial Regex FingerprintPattern();
}
