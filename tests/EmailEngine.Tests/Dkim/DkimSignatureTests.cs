using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using EmailEngine.Dkim;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using MimeKit.Cryptography;

namespace EmailEngine.Tests.Dkim;

/// <summary>
/// The keys really work: a message signed with MimeKit's DkimSigner and a generated key verifies with Debian's
/// independent dkimverify (python3-dkim), which fetches the TXT record the engine told us to publish from dnsmasq.
/// </summary>
public sealed class DkimSignatureTests : IAsyncLifetime
{
    private EngineServer _engine = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _engine = await EngineServer.StartAsync(Provider.Sqlite);
        _client = _engine.Client();
        foreach (var i in new[] { 1, 2 })
            (await _client.PostAsJsonAsync("/api/v1/ips", new { ip = $"203.0.113.{i}", domain = $"mail{i}.domain{i}.com" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _engine.DisposeAsync();
    }

    /// <summary>The decrypted key exactly as a deployment would ship it to PowerMTA.</summary>
    private async Task<byte[]> PrivateKeyAsync(string domain)
    {
        using var scope = _engine.Services.CreateScope();
        var keys = await scope.ServiceProvider.GetRequiredService<DomainRegistry>().PrivateKeysAsync(null, CancellationToken.None);
        return keys.Single(k => k.Domain == domain && k.Selector == "ee1").Pem;
    }

    private static byte[] SignedMessage(byte[] privateKeyPem)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Domain One", "news@domain1.com"));
        message.To.Add(new MailboxAddress("Zoé", "zoe.martin@example.com"));
        message.Subject = "Bienvenue";
        message.Date = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        message.MessageId = "welcome-1@domain1.com";
        message.Body = new TextPart("plain") { Text = "Bonjour Zoé,\nbienvenue chez nous.\n" };
        message.Prepare(EncodingConstraint.SevenBit);
        var signer = new DkimSigner(new MemoryStream(privateKeyPem), "domain1.com", "ee1", DkimSignatureAlgorithm.RsaSha256)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
        signer.Sign(message, [HeaderId.From, HeaderId.To, HeaderId.Subject, HeaderId.Date, HeaderId.MessageId]);
        using var output = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos; // as it goes over SMTP
        message.WriteTo(format, output);
        return output.ToArray();
    }

    /// <summary>Runs the real dkimverify entry point with dnspython's default resolver pointed at dnsmasq's port.</summary>
    private static async Task<(int ExitCode, string Output)> DkimVerifyAsync(byte[] message, int dnsPort)
    {
        const string wrapper = """
            import sys, dns.resolver
            resolver = dns.resolver.Resolver(configure=False)
            resolver.nameservers = ['127.0.0.1']
            resolver.port = int(sys.argv[1])
            dns.resolver.default_resolver = resolver
            from dkim.dkimverify import main
            sys.argv = ['dkimverify']
            main()
            """;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(wrapper);
        info.ArgumentList.Add(dnsPort.ToString());
        using var process = Process.Start(info)!;
        await process.StandardInput.BaseStream.WriteAsync(message);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output.Trim());
    }

    private async Task<DnsmasqServer> ServeDkimRecordAsync(string recordsOfDomain)
    {
        // Publish recordsOfDomain's key under domain1.com's name: the right one, or another domain's key to prove a wrong record fails.
        var dkim = (await ZoneData.RecordsAsync(_client, recordsOfDomain)).Single(r => ZoneData.Kind(r) == "dkim");
        var strings = string.Join(',', dkim.GetProperty("strings").EnumerateArray().Select(s => s.GetString()));
        return await DnsmasqServer.StartAsync(["domain1.com"], [$"--txt-record=ee1._domainkey.domain1.com,{strings}"]);
    }

    [Fact]
    public async Task A_signed_message_verifies_with_dkimverify_against_the_published_record()
    {
        using var dns = await ServeDkimRecordAsync("domain1.com");
        var signed = SignedMessage(await PrivateKeyAsync("domain1.com"));
        var header = Encoding.ASCII.GetString(signed).Replace("\r\n\t", " ").Split("\r\n")[0];
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; d=domain1.com; s=ee1; c=relaxed/relaxed;", header);

        var (exitCode, output) = await DkimVerifyAsync(signed, dns.Port);

        Assert.True(exitCode == 0, output);
        Assert.Equal("signature ok", output);
    }

    [Fact]
    public async Task A_tampered_message_fails_verification()
    {
        using var dns = await ServeDkimRecordAsync("domain1.com");
        var text = Encoding.ASCII.GetString(SignedMessage(await PrivateKeyAsync("domain1.com")));
        Assert.Contains("bienvenue chez nous", text);

        var (exitCode, output) = await DkimVerifyAsync(Encoding.ASCII.GetBytes(text.Replace("bienvenue chez nous", "bienvenue chez eux")), dns.Port);

        Assert.Equal(1, exitCode); // dkimverify ends on dkim.ValidationError for a body that no longer matches bh=
        Assert.Contains("dkim.ValidationError: body hash mismatch", output);
    }

    [Fact]
    public async Task A_record_holding_another_key_fails_verification()
    {
        using var dns = await ServeDkimRecordAsync("domain2.com");

        var (exitCode, output) = await DkimVerifyAsync(SignedMessage(await PrivateKeyAsync("domain1.com")), dns.Port);

        Assert.Equal(1, exitCode);
        Assert.Equal("signature verification failed", output);
    }
}
