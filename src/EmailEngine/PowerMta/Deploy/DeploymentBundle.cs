namespace EmailEngine.PowerMta.Deploy;

/// <summary>A DKIM private key to place on the host (PEM bytes, decrypted only for the upload).</summary>
public sealed record DkimKeyFile(string RemotePath, byte[] Pem)
{
    public override string ToString() => $"DkimKeyFile {RemotePath} ({Pem.Length} bytes, redacted)";
}

/// <summary>What a deployment ships where: the host, the config rendered for it and the key files the config references.</summary>
public sealed record DeploymentBundle(PmtaHostOptions Host, string ConfigText, IReadOnlyList<DkimKeyFile> DkimKeys);
