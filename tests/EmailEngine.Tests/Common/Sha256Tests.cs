using System.Runtime.InteropServices;
using EmailEngine.Common;

namespace EmailEngine.Tests.Common;

public sealed class Sha256Tests
{
    [Fact]
    public void The_direct_path_is_taken_exactly_where_libcrypto_3_can_be_loaded()
    {
        // Debian (the image, CI) has libcrypto 3, so the fast path is the one tested there; elsewhere the BCL is right.
        var loadable = OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libcrypto.so.3", out _);
        Assert.Equal(loadable, Sha256.IsDirect);
    }

    [Fact]
    public void Equals_the_bcl_for_every_length()
    {
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
