using System.Security.Cryptography;
using EmailEngine.Dkim;

namespace EmailEngine.Tests.Infrastructure;

/// <summary>
/// The DKIM key pairs of the test engines: real RSA-2048 pairs, each made once per run and handed out in turn (two
/// keys drawn one after the other always differ, so a rotation gets a new pair). Making a pair for every domain was
/// about 5 % of the suite's CPU (perf, 2026-12-06). The engine's own source makes a new pair each time.
/// </summary>
internal sealed class DkimKeyPool : IDkimKeyPairs
{
    private const int Size = 32;
    private static readonly Lazy<byte[]>[] Pairs = Enumerable.Range(0, Size)
        .Select(_ => new Lazy<byte[]>(() => { using var rsa = RSA.Create(2048); return rsa.ExportRSAPrivateKey(); })).ToArray();
    private static int _drawn = -1;

    public RSA Create()
    {
        var pair = Pairs[(int)((uint)Interlocked.Increment(ref _drawn) % Size)].Value;
        var rsa = RSA.Create();
        rsa.ImportRSAPrivateKey(pair, out _);
        return rsa;
    }
}
