using EmailEngine.Deliverability;

namespace EmailEngine.Tests.Deliverability;

public class IspGroupTests
{
    [Theory]
    [InlineData("gmail.com", IspGroup.Gmail)]
    [InlineData("GoogleMail.com", IspGroup.Gmail)]
    [InlineData("hotmail.fr", IspGroup.Microsoft)]
    [InlineData("aol.com", IspGroup.Yahoo)]
    [InlineData("me.com", IspGroup.Apple)]
    [InlineData("wanadoo.fr", IspGroup.Orange)]
    [InlineData("example.org", IspGroup.Other)]
    [InlineData(null, IspGroup.Other)]
    public void Recipient_domains_map_to_provider_families(string? domain, IspGroup expected) =>
        Assert.Equal(expected, IspGroups.Of(domain));

    [Fact]
    public void Each_named_group_lists_its_domains_and_other_has_none()
    {
        Assert.Equal(["gmail.com", "googlemail.com"], IspGroups.DomainsOf(IspGroup.Gmail));
        Assert.Empty(IspGroups.DomainsOf(IspGroup.Other));
        Assert.Equal("microsoft", IspGroup.Microsoft.Name());
    }
}
