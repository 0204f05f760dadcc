using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EmailEngine.Dkim;

namespace EmailEngine.Webhooks;

/// <summary>
/// Signing secrets and signatures. A secret is <c>whsec_</c> + 32 random bytes (base64url); it is kept only
/// encrypted with the engine's master key (<see cref="DkimVault"/>, <c>DKIM_MASTER_KEY</c>), because signing needs it
/// back. A request carries <c>X-EE-Signature: t=UNIX_SECONDS,v1=HEX</c> where HEX is HMAC-SHA256, keyed with the
/// secret's UTF-8 bytes, of <c>"{t}.{body}"</c>: receivers recompute it and reject old timestamps (replays).
/// </summary>
public sealed class WebhookSecrets(DkimVault vault)
{
    public const string Prefix = "whsec_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Throws <see cref="DkimVaultUnavailableException"/> now, before anything is written, when there is no master key.</summary>
    public void EnsureAvailable() => vault.Protect([], "probe");

    public byte[] Protect(string secret, long tenantId) => vault.Protect(Encoding.UTF8.GetBytes(secret), ContextOf(tenantId));

    public string Unprotect(byte[] encrypted, long tenantId) => Encoding.UTF8.GetString(vault.Unprotect(encrypted, ContextOf(tenantId)));

    public static string DisplayPrefix(string secret) => secret[..(Prefix.Length + 4)];

    public static string Sign(string secret, DateTimeOffset at, string body)
    {
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }

    private static string ContextOf(long tenantId) => $"webhook:{tenantId}";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
