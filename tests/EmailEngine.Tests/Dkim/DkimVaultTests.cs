using System.Security.Cryptography;
using System.Text;
using EmailEngine.Dkim;
using EmailEngine.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EmailEngine.Tests.Dkim;

/// <summary>Where the master key comes from: configuration, or a generated file beside the embedded SQLite database.</summary>
public sealed class DkimVaultTests
{
    private static EngineSettings Settings(string directory, string? masterKey = null) => SettingsLoader.FromValues(
        new Dictionary<string, string> { ["API_KEY"] = "test_key_123", ["DKIM_MASTER_KEY"] = masterKey ?? "" }, directory);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX
    public void Embedded_default_generates_a_0600_key_file_once_and_reuses_it()
    {
        var directory = Directory.CreateTempSubdirectory("ee-vault-").FullName;
        try
        {
            var first = DkimVault.From(Settings(directory))(NullLogger.Instance);
            var sealedKey = first.Protect(Encoding.ASCII.GetBytes("secret pem"), "dkim:domain1.com:ee1");

            var file = Path.Combine(directory, "data", DkimVault.KeyFileName);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
            var written = File.ReadAllText(file);

            var restarted = DkimVault.From(Settings(directory))(NullLogger.Instance);
            Assert.Equal("secret pem", Encoding.ASCII.GetString(restarted.Unprotect(sealedKey, "dkim:domain1.com:ee1")));
            Assert.Equal(written, File.ReadAllText(file));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Configured_key_is_used_and_invalid_keys_stop_the_start()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var vault = DkimVault.From(Settings("/nonexistent", key))(NullLogger.Instance);
        Assert.Equal("x", Encoding.ASCII.GetString(vault.Unprotect(vault.Protect("x"u8.ToArray(), "c"), "c")));

        foreach (var bad in new[] { "not base64!", Convert.ToBase64String(new byte[16]) })
        {
            var error = Assert.Throws<ConfigurationError>(() => DkimVault.From(Settings("/nonexistent", bad)));
            Assert.Equal("DKIM_MASTER_KEY", error.Key);
            Assert.DoesNotContain(bad, error.Message);
        }
    }
}
