using System.Xml.Linq;
using EmailEngine.Dkim;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace EmailEngine.WebConsole;

/// <summary>
/// Encrypts the console's session keys (ASP.NET data-protection key ring, kept in the database) with the engine's
/// master key (<see cref="DkimVault"/>), so the database alone cannot forge a session.
/// </summary>
internal sealed class SessionKeyEncryption(DkimVault vault) : IXmlEncryptor, IXmlDecryptor
{
    private const string Context = "console-session-keys";

    /// <summary>Data protection builds decryptors by type, handing them the service provider.</summary>
    public SessionKeyEncryption(IServiceProvider services) : this(services.GetRequiredService<DkimVault>()) { }

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var blob = vault.Protect(System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), Context);
        return new EncryptedXmlInfo(new XElement("vaultEncrypted", Convert.ToBase64String(blob)), typeof(SessionKeyEncryption));
    }

    public XElement Decrypt(XElement encryptedElement) =>
        XElement.Parse(System.Text.Encoding.UTF8.GetString(vault.Unprotect(Convert.FromBase64String(encryptedElement.Value), Context)));

    internal sealed class Setup(DkimVault vault) : IConfigureOptions<KeyManagementOptions>
    {
        public void Configure(KeyManagementOptions options) => options.XmlEncryptor = new SessionKeyEncryption(vault);
    }
}
