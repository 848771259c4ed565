using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Timestamping;

/// <summary>
/// Offline verification of an RFC 3161 time-stamp token over a SHA-256 hash: structure, message imprint, policy,
/// CMS signature (with the ESS signing-certificate binding), the signer's critical id-kp-timeStamping EKU
/// (section 2.3), genTime within the signer's validity, and a chain to the given anchors only (no system roots,
/// no revocation, no downloads).
/// </summary>
public static class Rfc3161TokenVerifier
{
    /// <summary>Verifies a token without its request (e.g. from an evidence bundle).</summary>
    /// <param name="tokenDer">DER <c>TimeStampToken</c> (CMS ContentInfo), nothing after it.</param>
    /// <param name="expectedSha256">The 32-byte SHA-256 hash the token must stamp.</param>
    /// <param name="trustAnchors">Root certificates the signer must chain to; at least one.</param>
    /// <param name="policyOid">Policy the token must carry, or <see langword="null"/> for any.</param>
    /// <returns>The facts of the verified token.</returns>
    /// <exception cref="ArgumentException">The hash is not 32 bytes, or no trust anchor is given.</exception>
    /// <exception cref="TimestampException">Any check fails; <see cref="TimestampException.Reason"/> says which.</exception>
    public static TimestampToken Verify(
        byte[] tokenDer,
        ReadOnlySpan<byte> expectedSha256,
        IReadOnlyCollection<X509Certificate2> trustAnchors,
        string? policyOid) =>
        Verify(tokenDer, expectedSha256, trustAnchors, policyOid, expectedNonce: null);

    /// <summary>As the public overload, and also requires the token's nonce to equal <paramref name="expectedNonce"/> when given.</summary>
    internal static TimestampToken Verify(
        byte[] tokenDer,
        ReadOnlySpan<byte> expectedSha256,
        IReadOnlyCollection<X509Certificate2> trustAnchors,
        string? policyOid,
        ReadOnlyMemory<byte>? expectedNonce)
    {
        ArgumentNullException.ThrowIfNull(tokenDer);
        ArgumentNullException.ThrowIfNull(trustAnchors);
        if (expectedSha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The expected hash must be a 32-byte SHA-256 value.", nameof(expectedSha256));
        }

        if (trustAnchors.Count == 0)
        {
            throw new ArgumentException("At least one trust anchor is required.", nameof(trustAnchors));
        }

        try
        {
            return VerifyDecoded(tokenDer, expectedSha256, trustAnchors, policyOid, expectedNonce);
        }
        catch (CryptographicException e)
        {
            // A damaged certificate inside the token (bad dates, bad extensions) surfaces lazily from X509Certificate2 members.
            throw Fail(TimestampFailureReason.Malformed, "The time-stamp token holds an unreadable certificate.", e);
        }
    }

    private static TimestampToken VerifyDecoded(
        byte[] tokenDer,
        ReadOnlySpan<byte> expectedSha256,
        IReadOnlyCollection<X509Certificate2> trustAnchors,
        string? policyOid,
        ReadOnlyMemory<byte>? expectedNonce)
    {
        (SignedCms cms, Rfc3161TimestampTokenInfo info, X509Certificate2? signer) = Decode(tokenDer);

        if (info.HashAlgorithmId.Value != Rfc3161Labels.Sha256 || !info.GetMessageHash().Span.SequenceEqual(expectedSha256))
        {
            throw Fail(TimestampFailureReason.ImprintMismatch,
                $"The token stamps {info.HashAlgorithmId.Value}:{Convert.ToHexString(info.GetMessageHash().Span)}, not the expected SHA-256 hash.");
        }

        if (expectedNonce is { } nonce && !(info.GetNonce() is { } actual && actual.Span.SequenceEqual(nonce.Span)))
        {
            throw Fail(TimestampFailureReason.NonceMismatch, "The token's nonce differs from the request's: the reply answers another request.");
        }

        if (policyOid is not null && info.PolicyId.Value != policyOid)
        {
            throw Fail(TimestampFailureReason.PolicyMismatch, $"The token's policy is {info.PolicyId.Value}, expected {policyOid}.");
        }

        SignerInfo signerInfo = cms.SignerInfos[0];
        if (signer is null)
        {
            throw Fail(TimestampFailureReason.UntrustedSigner, "The token does not carry its signer certificate (request it with certReq).");
        }

        CheckTimestampingEku(signer);
        DateTimeOffset genTime = info.Timestamp;
        if (genTime < new DateTimeOffset(signer.NotBefore) || genTime > new DateTimeOffset(signer.NotAfter))
        {
            throw Fail(TimestampFailureReason.GenTimeOutsideValidity,
                $"genTime {genTime:O} is outside the signer certificate's validity [{signer.NotBefore.ToUniversalTime():O}, {signer.NotAfter.ToUniversalTime():O}].");
        }

        CheckSignature(tokenDer, signerInfo, signer, expectedSha256);

        IReadOnlyList<byte[]> chain = BuildChain(signer, cms.Certificates, trustAnchors, genTime);
        string tsaName = info.GetTimestampAuthorityName() is { } name ? Rfc3161.DescribeGeneralName(name) ?? signer.Subject : signer.Subject;
        return new TimestampToken(
            tokenDer.ToArray(),
            genTime,
            Convert.ToHexString(info.GetSerialNumber().Span),
            tsaName,
            info.PolicyId.Value!,
            chain);
    }

    /// <summary>
    /// Decodes the CMS envelope and TSTInfo without judging the signer, so each later check can report its own
    /// reason (the framework's <see cref="Rfc3161TimestampToken.TryDecode"/> folds EKU, validity and signature
    /// failures into one <see langword="false"/>).
    /// </summary>
    private static (SignedCms Cms, Rfc3161TimestampTokenInfo Info, X509Certificate2? Signer) Decode(byte[] tokenDer)
    {
        try
        {
            (int version, HashSet<string> digestAlgorithms) = ReadSignedDataHeader(tokenDer);
            var cms = new SignedCms();
            cms.Decode(tokenDer);
            if (cms.ContentInfo.ContentType.Value == Rfc3161Labels.TstInfoContentType
                && version is >= 3 and <= 5
                && cms.SignerInfos.Count == 1
                && HasConsistentVersion(cms.SignerInfos[0])
                && digestAlgorithms.Contains(cms.SignerInfos[0].DigestAlgorithm.Value!)
                && Rfc3161TimestampTokenInfo.TryDecode(cms.ContentInfo.Content, out Rfc3161TimestampTokenInfo? info, out int consumed)
                && consumed == cms.ContentInfo.Content.Length)
            {
                return (cms, info, cms.SignerInfos[0].Certificate);
            }
        }
        catch (Exception e) when (e is CryptographicException or AsnContentException)
        {
            throw Fail(TimestampFailureReason.Malformed, "The time-stamp token is not a valid RFC 3161 TimeStampToken.", e);
        }

        throw Fail(TimestampFailureReason.Malformed,
            "The time-stamp token is not a CMS SignedData with one signer over a TSTInfo (RFC 3161 section 2.4.2).");
    }

    /// <summary>
    /// Reads <c>SignedData.version</c> and <c>digestAlgorithms</c> (RFC 5652 section 5.1), which the framework does
    /// not check, and requires the token to be exactly one ContentInfo with nothing after it. These fields are
    /// outside the signature, so checking them is what keeps a token from having altered, still-valid twins.
    /// </summary>
    private static (int Version, HashSet<string> DigestAlgorithms) ReadSignedDataHeader(byte[] tokenDer)
    {
        var outer = new AsnReader(tokenDer, AsnEncodingRules.BER);
        AsnReader contentInfo = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        contentInfo.ReadObjectIdentifier();
        AsnReader signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadSequence();
        if (!signedData.TryReadInt32(out int version))
        {
            throw new AsnContentException("SignedData version out of range.");
        }

        AsnReader set = signedData.ReadSetOf(skipSortOrderValidation: true);
        var algorithms = new HashSet<string>(StringComparer.Ordinal);
        while (set.HasData)
        {
            algorithms.Add(set.ReadSequence().ReadObjectIdentifier());
        }

        return (version, algorithms);
    }

    /// <summary>RFC 5652 section 5.3: version 1 with issuerAndSerialNumber, 3 with subjectKeyIdentifier.</summary>
    private static bool HasConsistentVersion(SignerInfo signer) => signer.SignerIdentifier.Type switch
    {
        SubjectIdentifierType.IssuerAndSerialNumber => signer.Version == 1,
        SubjectIdentifierType.SubjectKeyIdentifier => signer.Version == 3,
        _ => false,
    };

    private static void CheckTimestampingEku(X509Certificate2 signer)
    {
        X509EnhancedKeyUsageExtension? eku;
        OidCollection usages;
        try
        {
            eku = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
            usages = eku?.EnhancedKeyUsages ?? [];
        }
        catch (CryptographicException e)
        {
            throw Fail(TimestampFailureReason.Malformed, $"The signer certificate '{signer.Subject}' has unreadable extensions.", e);
        }

        if (eku is null || usages.Count != 1 || usages[0].Value != Rfc3161Labels.TimestampingEku)
        {
            throw Fail(TimestampFailureReason.MissingTimestampingEku,
                $"The signer '{signer.Subject}' must have id-kp-timeStamping as its only extended key usage (RFC 3161 section 2.3).");
        }

        if (!eku.Critical)
        {
            throw Fail(TimestampFailureReason.MissingTimestampingEku,
                $"The signer '{signer.Subject}' has id-kp-timeStamping, but not as a critical extension (RFC 3161 section 2.3).");
        }
    }

    private static void CheckSignature(byte[] tokenDer, SignerInfo signerInfo, X509Certificate2 signer, ReadOnlySpan<byte> hash)
    {
        try
        {
            signerInfo.CheckSignature(new X509Certificate2Collection(signer), verifySignatureOnly: true);
        }
        catch (CryptographicException e)
        {
            throw Fail(TimestampFailureReason.BadSignature, "The token's CMS signature does not verify.", e);
        }

        // Every specific check has passed; the framework's own checks add the ESS signing-certificate(-v2) binding
        // (the signed attribute must name this signer certificate), so a failure here is a signature failure.
        if (!Rfc3161TimestampToken.TryDecode(tokenDer, out Rfc3161TimestampToken? token, out _)
            || !token.VerifySignatureForHash(hash, HashAlgorithmName.SHA256, out _, new X509Certificate2Collection(signer)))
        {
            throw Fail(TimestampFailureReason.BadSignature,
                "The token's ESS signing-certificate attribute does not name its signer certificate (RFC 5035).");
        }
    }

    private static IReadOnlyList<byte[]> BuildChain(
        X509Certificate2 signer,
        X509Certificate2Collection embedded,
        IReadOnlyCollection<X509Certificate2> trustAnchors,
        DateTimeOffset genTime)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.VerificationTime = genTime.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(Rfc3161Labels.TimestampingEku));
        foreach (X509Certificate2 anchor in trustAnchors)
        {
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
        }

        chain.ChainPolicy.ExtraStore.AddRange(embedded);
        if (!chain.Build(signer))
        {
            string status = string.Join("; ", chain.ChainStatus.Select(s => $"{s.Status}: {s.StatusInformation.Trim()}"));
            throw Fail(TimestampFailureReason.UntrustedSigner,
                $"The signer '{signer.Subject}' does not chain to a configured trust anchor ({status}).");
        }

        return chain.ChainElements.Select(e => e.Certificate.RawData).ToArray();
    }

    private static TimestampException Fail(TimestampFailureReason reason, string message, Exception? inner = null) =>
        new(reason, message, inner);
}
