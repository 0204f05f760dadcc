using System.Text.RegularExpressions;
using EmailEngine.Contacts.Validation;

namespace EmailEngine.Tests.Contacts;

/// <summary>The address table: every line of Fixtures/addresses.tsv with the verdict and reason expected.</summary>
public sealed class AddressValidationTests
{
    public static TheoryData<string, string> Addresses()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Contacts", "Fixtures", "addresses.tsv")))
        {
            if (line.StartsWith('#') || line.Length == 0)
                continue;
            var tab = line.LastIndexOf('\t');
            data.Add(Regex.Unescape(line[..tab]), line[(tab + 1)..]);
        }
        return data;
    }

    [Fact]
    public void The_table_has_at_least_150_addresses() => Assert.True(Addresses().Count() >= 150);

    [Theory]
    [MemberData(nameof(Addresses))]
    public void Address_gets_the_expected_verdict(string address, string expected)
    {
        var check = EmailAddressValidator.Check(address);

        if (expected.StartsWith("ok", StringComparison.Ordinal))
        {
            Assert.True(check.IsValid, $"'{address}' was refused: {check.Code} {check.Reason}");
            var flag = expected.Length > 3 ? expected[3..] : null;
            var flags = check.Flags;
            Assert.Equal(flag == "role_account", flags.HasFlag(EmailFlags.RoleAccount));
            Assert.Equal(flag == "disposable_domain", flags.HasFlag(EmailFlags.DisposableDomain));
            Assert.Equal(flag == "smtputf8", flags.HasFlag(EmailFlags.SmtpUtf8));
        }
        else
        {
            Assert.False(check.IsValid, $"'{address}' was accepted as {check.Normalized}");
            Assert.Equal(expected, check.Code);
            Assert.False(string.IsNullOrWhiteSpace(check.Reason));
        }
    }

    [Theory]
    [InlineData("  Jane.Doe@Example.COM ", "Jane.Doe@example.com")]
    [InlineData("jörg@Müller.de", "jörg@xn--mller-kva.de")]
    [InlineData("用户@例子.广告", "用户@xn--fsqu00a.xn--4rr70v")]
    public void Addresses_are_normalized(string input, string normalized)
    {
        var check = EmailAddressValidator.Check(input);

        Assert.Equal(normalized, check.Normalized);
    }
}
