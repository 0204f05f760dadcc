using EmailEngine.Contacts;
using EmailEngine.Contacts.Import;

namespace EmailEngine.Tests.Contacts;

public sealed class SeenAddressesTests
{
    private static UInt128 Hash(string key) => ImportRow.NumberOf(Contact.KeyHashOf(key));

    [Fact]
    public void Every_repeat_is_caught_and_first_occurrences_are_almost_never_mistaken_for_repeats()
    {
        var seen = new SeenAddresses();
        var falsePositives = 0;
        for (var i = 0; i < 1_000_000; i++)
            falsePositives += seen.Add(Hash($"user{i}@example.com")) ? 1 : 0;
        for (var i = 0; i < 1_000_000; i += 997)
            Assert.True(seen.Add(Hash($"user{i}@example.com")), $"user{i} was met before");
        // 1 M addresses in 16 MB: the expected rate is ~1e-8; a repeat wrongly taken for new would duplicate a contact,
        // a new address taken for a repeat only goes the slower, exact way.
        Assert.InRange(falsePositives, 0, 10);
    }
}
