using EmailEngine.Common;

namespace EmailEngine.Tests.Common;

public sealed class Sha256Tests
{
    [Fact]
    public void Direct_openssl_hash_is_used_here_and_equals_the_bcl_for_every_length()
    {
        // The machines this runs on (Debian, like the Docker image) have libcrypto 3: the fast path must be the one tested.
        Assert.True(Sha256.IsDirect, "libcrypto.so.3's SHA256_Init/Update/Final were not loaded");
        var random = new Random(20261203);
        Span<byte> expected = stackalloc byte[32];
        Span<byte> actual = stackalloc byte[32];
        for (var length = 0; length <= 300; length++)
        {
            for (var sample = 0; sample < 8; sample++)
            {
                var message = new byte[length];
                random.NextBytes(message);
                System.Security.Cryptography.SHA256.HashData(message, expected);
                Sha256.HashData(message, actual);
                Assert.True(expected.SequenceEqual(actual), $"length {length}: {Convert.ToHexString(actual)} != {Convert.ToHexString(expected)}");
            }
        }
    }
}
