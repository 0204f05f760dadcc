using System.Security.Cryptography;

namespace EmailEngine.Dkim;

/// <summary>
/// Where the RSA-2048 pairs of new DKIM keys come from. Making one costs 50–200 ms of CPU, searching for primes: the
/// engine makes one per sending domain and rotation, the test suite's engines several hundred, so the tests hand their
/// engines pairs made once per run instead.
/// </summary>
public interface IDkimKeyPairs
{
    RSA Create();
}

internal sealed class FreshDkimKeyPairs : IDkimKeyPairs
{
    public RSA Create() => RSA.Create(2048);
}
