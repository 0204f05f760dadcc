using System.Security.Cryptography;
using EmailEngine.Dkim;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Dkim;

/// <summary>The engine's source of DKIM key pairs, and the test engines' pool in its place.</summary>
public sealed class DkimKeyPairsTests
{
    [Fact]
    public void The_engine_makes_a_new_rsa_2048_pair_for_each_key()
    {
        var source = new FreshDkimKeyPairs();
        using RSA first = source.Create(), second = source.Create();

        Assert.Equal((2048, 2048), (first.KeySize, second.KeySize));
        Assert.NotEqual(first.ExportSubjectPublicKeyInfo(), second.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void The_test_pool_hands_out_rsa_2048_pairs_that_differ_from_the_one_before()
    {
        var pool = new DkimKeyPool();
        var drawn = Enumerable.Range(0, 40).Select(_ => { using var rsa = pool.Create(); return (rsa.KeySize, Key: Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo())); }).ToList();

        Assert.All(drawn, d => Assert.Equal(2048, d.KeySize));
        Assert.All(drawn.Zip(drawn.Skip(1)), pair => Assert.NotEqual(pair.First.Key, pair.Second.Key));
    }
}
