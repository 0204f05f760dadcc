using System.Security.Cryptography;
using EmailEngine.Dkim;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// The DKIM key pairs of the test engines: 32 real RSA-2048 pairs from <c>Dkim/Fixtures/test-key-pairs.txt</c>, handed
/// out in turn (two keys drawn one after the other always differ, so a rotation gets a new pair). Making a pair costs
/// 50–500 ms of CPU searching for primes: one per domain was about 5 % of the suite's CPU (perf, 2026-12-06), and the
/// 32 made once per run still about 7 s (2026-12-07). The engine's own source makes a new pair each time.
/// </summary>
internal sealed class DkimKeyPool : IDkimKeyPairs
{
    private static readonly byte[][] Pairs = File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Dkim", "Fixtures", "test-key-pairs.txt"))
        .Where(line => line.Length > 0 && !line.StartsWith('#')).Select(Convert.FromBase64String).ToArray();
    private static int _drawn = -1;

    public RSA Create()
    {
        var pair = Pairs[(int)((uint)Interlocked.Increment(ref _drawn) % Pairs.Length)];
        var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(pair, out _);
        return rsa;
    }
}
