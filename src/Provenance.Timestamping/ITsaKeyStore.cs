namespace Provenance.Timestamping;

/// <summary>Where the built-in TSA keeps its root and signing certificates and their private keys.</summary>
public interface ITsaKeyStore
{
    /// <summary>Loads the stored material.</summary>
    /// <returns>The material, or <see langword="null"/> when nothing has been stored yet.</returns>
    /// <exception cref="TimestampException"><see cref="TimestampFailureReason.Configuration"/>: the store is partial or unreadable.</exception>
    TsaKeyMaterial? Load();

    /// <summary>Stores the material, replacing what was there.</summary>
    /// <exception cref="TimestampException"><see cref="TimestampFailureReason.Configuration"/>: the store cannot be written.</exception>
    void Save(TsaKeyMaterial material);
}

/// <summary>
/// PEM certificates and PKCS#8 private keys of the built-in TSA. A class rather than a record so that
/// <see cref="ToString"/> never prints the keys.
/// </summary>
public sealed class TsaKeyMaterial
{
    /// <summary>Creates the material; every argument must be non-empty PEM.</summary>
    /// <exception cref="ArgumentException">An argument is null or empty.</exception>
    public TsaKeyMaterial(string rootCertificatePem, string rootPrivateKeyPem, string signingCertificatePem, string signingPrivateKeyPem)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(rootPrivateKeyPem);
        ArgumentException.ThrowIfNullOrEmpty(signingCertificatePem);
        ArgumentException.ThrowIfNullOrEmpty(signingPrivateKeyPem);
        RootCertificatePem = rootCertificatePem;
        RootPrivateKeyPem = rootPrivateKeyPem;
        SigningCertificatePem = signingCertificatePem;
        SigningPrivateKeyPem = signingPrivateKeyPem;
    }

    /// <summary>Self-signed root CA certificate (the trust anchor).</summary>
    public string RootCertificatePem { get; }

    /// <summary>Root CA private key (PKCS#8); used only to issue signing certificates.</summary>
    public string RootPrivateKeyPem { get; }

    /// <summary>TSA signing certificate, issued by the root.</summary>
    public string SigningCertificatePem { get; }

    /// <summary>TSA signing private key (PKCS#8).</summary>
    public string SigningPrivateKeyPem { get; }

    /// <inheritdoc />
    public override string ToString() => "TsaKeyMaterial { keys redacted }";
}
