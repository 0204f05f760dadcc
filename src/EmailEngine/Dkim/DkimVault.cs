using System.Security.Cryptography;
using System.Text;
using EmailEngine.Hosting;

namespace EmailEngine.Dkim;

/// <summary>The master key is missing (PostgreSQL without DKIM_MASTER_KEY) or unreadable; the message is safe to show.</summary>
public sealed class DkimVaultUnavailableException(string message) : Exception(message);

/// <summary>
/// Encrypts DKIM private keys at rest with AES-256-GCM. The master key comes from <c>DKIM_MASTER_KEY</c> (base64, 32
/// bytes). Without it, the embedded SQLite default generates one next to the database file (<c>dkim-master.key</c>,
/// mode 0600) and says so once in the log; PostgreSQL requires the setting, because every instance must share the key
/// and it must not live in the database it protects. The key itself is never logged.
/// </summary>
public sealed class DkimVault
{
    public const string KeyFileName = "dkim-master.key";
    private const byte FormatVersion = 1;
    private const int NonceSize = 12, TagSize = 16;

    private readonly Lazy<byte[]> _key;

    private DkimVault(Func<byte[]> load) => _key = new Lazy<byte[]>(load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Validates <c>DKIM_MASTER_KEY</c> now (a one-line configuration error at start-up); the returned factory builds
    /// the vault with its logger, and a key file is read or generated on first use.
    /// </summary>
    public static Func<ILogger, DkimVault> From(EngineSettings settings)
    {
        if (settings.Get("DKIM_MASTER_KEY") is { } configured)
        {
            var key = ParseKey(configured) ?? throw new ConfigurationError("DKIM_MASTER_KEY",
                "expected the base64 of 32 random bytes (generate one with: openssl rand -base64 32)");
            return _ => new DkimVault(() => key);
        }
        if (settings.Database.Provider == DatabaseProvider.Sqlite)
        {
            var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(
                new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.Database.ConnectionString).DataSource))!, KeyFileName);
            return logger => new DkimVault(() => LoadOrCreate(path, logger));
        }
        return _ => new DkimVault(() => throw new DkimVaultUnavailableException(
            "DKIM_MASTER_KEY is not set: with PostgreSQL, set it to the base64 of 32 random bytes (openssl rand -base64 32), the same on every instance."));
    }

    private static byte[]? ParseKey(string text)
    {
        var buffer = new byte[64];
        return Convert.TryFromBase64String(text.Trim(), buffer, out var length) && length == 32 ? buffer[..32] : null;
    }

    private static byte[] LoadOrCreate(string path, ILogger logger)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                // CreateNew with the mode set at creation: the key is never readable by others, and two processes
                // starting together cannot overwrite each other's key.
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                using var file = new FileStream(path, create);
                file.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n"));
                logger.LogWarning("Generated a DKIM master key in {Path} (mode 0600): back it up with the database; without it the DKIM private keys cannot be decrypted", path);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first: use theirs.
            }
        }
        return ParseKey(File.ReadAllText(path))
            ?? throw new DkimVaultUnavailableException($"{path} does not hold a base64 32-byte key; restore it from backup");
    }

    /// <summary>version (1) | nonce (12) | tag (16) | ciphertext. <paramref name="context"/> (domain and selector) is
    /// authenticated, so a ciphertext copied onto another key's row does not decrypt.</summary>
    public byte[] Protect(byte[] plaintext, string context)
    {
        var blob = new byte[1 + NonceSize + TagSize + plaintext.Length];
        blob[0] = FormatVersion;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(1 + NonceSize + TagSize), blob.AsSpan(1 + NonceSize, TagSize), Encoding.UTF8.GetBytes(context));
        return blob;
    }

    public byte[] Unprotect(byte[] blob, string context)
    {
        if (blob.Length < 1 + NonceSize + TagSize || blob[0] != FormatVersion)
            throw new CryptographicException("not a DKIM vault ciphertext");
        var plaintext = new byte[blob.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key.Value, TagSize);
        aes.Decrypt(blob.AsSpan(1, NonceSize), blob.AsSpan(1 + NonceSize + TagSize), blob.AsSpan(1 + NonceSize, TagSize), plaintext,
            Encoding.UTF8.GetBytes(context));
        return plaintext;
    }

    public static string ContextOf(string domain, string selector) => $"dkim:{domain}:{selector}";
}
