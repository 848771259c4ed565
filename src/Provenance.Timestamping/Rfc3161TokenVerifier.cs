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

        Rfc3161TimestampToken token = Decode(tokenDer);
        Rfc3161TimestampTokenInfo info = token.TokenInfo;

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

        SignedCms cms = token.AsSignedCms();
        SignerInfo signerInfo = cms.SignerInfos[0];
        X509Certificate2 signer = signerInfo.Certificate
            ?? throw Fail(TimestampFailureReason.UntrustedSigner, "The token does not carry its signer certificate (request it with certReq).");

        CheckTimestampingEku(signer);
        CheckSignature(token, signerInfo, signer, expectedSha256);

        DateTimeOffset genTime = info.Timestamp;
        if (genTime < new DateTimeOffset(signer.NotBefore) || genTime > new DateTimeOffset(signer.NotAfter))
        {
            throw Fail(TimestampFailureReason.GenTimeOutsideValidity,
                $"genTime {genTime:O} is outside the signer certificate's validity [{signer.NotBefore.ToUniversalTime():O}, {signer.NotAfter.ToUniversalTime():O}].");
        }

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

    private static Rfc3161TimestampToken Decode(byte[] tokenDer)
    {
        try
        {
            if (Rfc3161TimestampToken.TryDecode(tokenDer, out Rfc3161TimestampToken? token, out int consumed)
                && consumed == tokenDer.Length)
            {
                return token;
            }
        }
        catch (CryptographicException e)
        {
            throw Fail(TimestampFailureReason.Malformed, "The time-stamp token is not a valid RFC 3161 TimeStampToken.", e);
        }

        throw Fail(TimestampFailureReason.Malformed, "The time-stamp token is not a valid RFC 3161 TimeStampToken.");
    }

    private static void CheckTimestampingEku(X509Certificate2 signer)
    {
        X509EnhancedKeyUsageExtension? eku = signer.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (eku is null || eku.EnhancedKeyUsages.Count != 1 || eku.EnhancedKeyUsages[0].Value != Rfc3161Labels.TimestampingEku)
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

    private static void CheckSignature(Rfc3161TimestampToken token, SignerInfo signerInfo, X509Certificate2 signer, ReadOnlySpan<byte> hash)
    {
        try
        {
            signerInfo.CheckSignature(new X509Certificate2Collection(signer), verifySignatureOnly: true);
        }
        catch (CryptographicException e)
        {
            throw Fail(TimestampFailureReason.BadSignature, "The token's CMS signature does not verify.", e);
        }

        // The framework check adds what CheckSignature does not: the ESS signing-certificate(-v2) attribute must name this signer.
        if (!token.VerifySignatureForHash(hash, HashAlgorithmName.SHA256, out _, new X509Certificate2Collection(signer)))
        {
            throw Fail(TimestampFailureReason.BadSignature,
                "The token's signature or its ESS signing-certificate attribute does not match the signer certificate.");
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
