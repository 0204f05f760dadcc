using Renci.SshNet;
using Renci.SshNet.Common;

namespace EmailEngine.PowerMta.Deploy;

public sealed record CommandResult(int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// One SSH session to the PowerMTA host: commands and file transfer. The host key must match the pinned
/// fingerprint; an unknown key is refused unless the operator explicitly trusts unknown hosts.
/// </summary>
public sealed class PmtaShell : IDisposable
{
    private readonly SshClient? _ssh;
    private readonly SftpClient _sftp;
    private readonly PmtaHostOptions _options;

    private PmtaShell(SshClient? ssh, SftpClient sftp, PmtaHostOptions options) => (_ssh, _sftp, _options) = (ssh, sftp, options);

    public string? PresentedHostKey { get; private set; }

    /// <summary>Commands and file transfer: each is an SSH connection of its own.</summary>
    public static async Task<PmtaShell> ConnectAsync(PmtaHostOptions options, CancellationToken ct)
    {
        var connection = ConnectionOf(options);
        var ssh = new SshClient(connection);
        var sftp = new SftpClient(connection);
        var presented = await ConnectCheckedAsync(options, [ssh, sftp], ct);
        return new PmtaShell(ssh, sftp, options) { PresentedHostKey = presented };
    }

    /// <summary>
    /// File transfer only, one SSH connection instead of two: what an accounting pull needs. Pulls run every 5 minutes
    /// per host by default, and each connection is a login in the host's auth log and a key exchange on both sides.
    /// </summary>
    public static async Task<PmtaShell> ConnectFilesAsync(PmtaHostOptions options, CancellationToken ct)
    {
        var sftp = new SftpClient(ConnectionOf(options));
        var presented = await ConnectCheckedAsync(options, [sftp], ct);
        return new PmtaShell(null, sftp, options) { PresentedHostKey = presented };
    }

    /// <summary>An SSH connection alone (no file transfer), the host key checked as for a shell: what a port forward needs.</summary>
    public static async Task<SshClient> ConnectSshAsync(PmtaHostOptions options, CancellationToken ct)
    {
        var ssh = new SshClient(ConnectionOf(options));
        await ConnectCheckedAsync(options, [ssh], ct);
        return ssh;
    }

    private static Renci.SshNet.ConnectionInfo ConnectionOf(PmtaHostOptions options) =>
        new(options.Host!, options.Port, options.User, new PrivateKeyAuthenticationMethod(options.User, new PrivateKeyFile(options.KeyFile!)))
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

    /// <summary>Connects each client (each is its own SSH connection) with the host key pinned; on failure disposes them all.</summary>
    /// <returns>The key the server presented (<c>SHA256:…</c>).</returns>
    private static async Task<string?> ConnectCheckedAsync(PmtaHostOptions options, BaseClient[] clients, CancellationToken ct)
    {
        string? presented = null;
        var rejected = false;
        void Check(object? _, HostKeyEventArgs e)
        {
            presented = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = options.HostKeyFingerprint is { } pinned
                ? string.Equals(Normalize(pinned), e.FingerPrintSHA256, StringComparison.Ordinal)
                : options.TrustUnknownHost;
            rejected |= !e.CanTrust;
        }
        try
        {
            foreach (var client in clients)
            {
                client.HostKeyReceived += Check;
                await client.ConnectAsync(ct);
            }
        }
        catch (SshConnectionException) when (rejected)
        {
            DisposeAll(clients);
            throw new PmtaHostException(options.HostKeyFingerprint is null
                ? $"unknown host key {presented}: pin it with PMTA_SSH_HOST_KEY={presented} (or set PMTA_SSH_TRUST_UNKNOWN_HOST=true)"
                : $"host key mismatch: the server presented {presented}, PMTA_SSH_HOST_KEY pins {options.HostKeyFingerprint}");
        }
        catch (Exception e) when (e is SshException or System.Net.Sockets.SocketException or TimeoutException or IOException)
        {
            DisposeAll(clients);
            throw new PmtaHostException($"cannot connect to {options.User}@{options.Host}:{options.Port}: {e.Message}");
        }
        return presented;
    }

    private static void DisposeAll(BaseClient[] clients)
    {
        foreach (var client in clients)
            client.Dispose();
    }

    private static string Normalize(string fingerprint) =>
        (fingerprint.StartsWith("SHA256:", StringComparison.Ordinal) ? fingerprint[7..] : fingerprint).TrimEnd('=');

    public async Task<CommandResult> RunAsync(string command, CancellationToken ct)
    {
        if (_ssh is null)
            throw new InvalidOperationException("this shell was connected for file transfer only (ConnectFilesAsync)");
        using var cmd = _ssh.CreateCommand(command);
        cmd.CommandTimeout = _options.CommandTimeout;
        await cmd.ExecuteAsync(ct);
        var output = (cmd.Result + cmd.Error).Trim();
        return new CommandResult(cmd.ExitStatus ?? -1, output);
    }

    public Task<CommandResult> PmtaAsync(string arguments, CancellationToken ct) => RunAsync($"{_options.PmtaCommand} {arguments}", ct);

    /// <summary>Regular files in a directory (name, full path, size, last write).</summary>
    public async Task<List<Renci.SshNet.Sftp.ISftpFile>> ListFilesAsync(string directory, CancellationToken ct)
    {
        var files = new List<Renci.SshNet.Sftp.ISftpFile>();
        await foreach (var entry in _sftp.ListDirectoryAsync(directory, ct))
            if (entry.IsRegularFile)
                files.Add(entry);
        return files;
    }

    /// <summary>A seekable read stream over a remote file.</summary>
    public async Task<Stream> OpenReadAsync(string path, CancellationToken ct) => await _sftp.OpenAsync(path, FileMode.Open, FileAccess.Read, ct);

    public string? ReadText(string path) => _sftp.Exists(path) ? _sftp.ReadAllText(path) : null;

    /// <summary>Whether the file exists with exactly these bytes (a re-deploy of unchanged keys is not a change).</summary>
    public bool HasContent(string path, byte[] content) =>
        _sftp.Exists(path) && _sftp.ReadAllBytes(path).AsSpan().SequenceEqual(content);

    /// <summary>Writes to a temporary name with the given mode, then renames: readers never see a half-written file.</summary>
    public async Task WriteAtomicallyAsync(string path, byte[] content, UnixFileMode mode, CancellationToken ct)
    {
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        using (var stream = new MemoryStream(content))
            await _sftp.UploadFileAsync(stream, temporary, ct);
        _sftp.ChangePermissions(temporary, SshNetMode(mode));
        await RenameAsync(temporary, path, ct);
    }

    /// <summary>SSH.NET takes permissions as the octal digits written in decimal (0640 → 640), not as the mode's value.</summary>
    internal static short SshNetMode(UnixFileMode mode)
    {
        var bits = (int)mode & 0b111_111_111;
        return (short)((bits >> 6) * 100 + ((bits >> 3) & 7) * 10 + (bits & 7));
    }

    public async Task RenameAsync(string from, string to, CancellationToken ct)
    {
        var result = await RunAsync($"mv -f {Quote(from)} {Quote(to)}", ct);
        if (!result.Succeeded)
            throw new PmtaHostException($"cannot rename {from} to {to}: {result.Output}");
    }

    public async Task EnsureDirectoryAsync(string path, CancellationToken ct)
    {
        var result = await RunAsync($"mkdir -p {Quote(path)} && chmod 700 {Quote(path)}", ct);
        if (!result.Succeeded)
            throw new PmtaHostException($"cannot create {path}: {result.Output}");
    }

    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    public void Dispose()
    {
        _sftp.Dispose();
        _ssh?.Dispose();
    }
}

/// <summary>The PowerMTA host could not be reached or refused an operation; the message is safe to show.</summary>
public sealed class PmtaHostException(string message) : Exception(message);
