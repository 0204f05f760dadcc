namespace EmailEngine.Contacts.Import;

/// <summary>
/// The addresses an import has met so far, in a fixed 16 MB whatever the file's size: a blocked Bloom filter, one
/// 64-byte cache line per address. Its "no" is certain, so a first occurrence can be inserted without a conflict
/// check; a "maybe" (a repeat, or at 10 M addresses ≈ 0.2 % of the time a false positive) sends the row through the
/// exact merge instead.
/// </summary>
internal sealed class SeenAddresses
{
    private const int WordsPerBlock = 8; // 512 bits
    private const int BitsPerAddress = 6;
    private readonly ulong[] _words = new ulong[16 * 1024 * 1024 / sizeof(ulong)];

    /// <summary>Records an address, given as a 128-bit hash (its key hash); says whether it may have been met before.</summary>
    public bool Add(UInt128 hash)
    {
        var (hash1, hash2) = ((ulong)(hash >> 64), (ulong)hash);
        var block = (int)(hash1 % (ulong)(_words.Length / WordsPerBlock)) * WordsPerBlock;
        var seen = true;
        for (var i = 0; i < BitsPerAddress; i++)
        {
            var bit = (int)(hash2 >> (i * 9)) & 511;
            ref var word = ref _words[block + (bit >> 6)];
            var mask = 1UL << (bit & 63);
            if ((word & mask) == 0)
            {
                seen = false;
                word |= mask;
            }
        }
        return seen;
    }
}
