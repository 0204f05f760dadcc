using System.Security.Cryptography;
using System.Text;

namespace EmailEngine.Auth;

/// <summary>
/// Token format <c>eek_{key id}_{secret}</c>. Tokens carry 256 random bits, so a plain SHA-256 is a sound
/// at-rest form (slow password hashes exist for low-entropy secrets); comparison is constant-time.
/// </summary>
public static class ApiKeyTokens
{
    private const string Prefix = "eek_";
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    public static (string KeyId, string Token) Create()
    {
        var keyId = string.Create(12, 0, (chars, _) =>
        {
            for (var i = 0; i < chars.Length; i++)
                chars[i] = Base32[RandomNumberGenerator.GetInt32(Base32.Length)];
        });
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (keyId, $"{Prefix}{keyId}_{secret}");
    }

    /// <summary>The key id of a well-formed tenant token, or null.</summary>
    public static string? KeyIdOf(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + 14)
            return null;
        var separator = token.IndexOf('_', Prefix.Length);
        return separator == Prefix.Length + 12 ? token[Prefix.Length..separator] : null;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public static bool Matches(string token, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(storedHash));
}
