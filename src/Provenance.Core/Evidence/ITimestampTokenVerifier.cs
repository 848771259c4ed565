namespace Provenance.Core.Evidence;

/// <summary>
/// Verifies an RFC 3161 TimeStampToken offline: the CMS signature, the signer certificate chain up to a
/// trust anchor, the TSA key usage, and that the message imprint is the expected SHA-256. Core defines the
/// seam; the implementation lives where CMS support is (Provenance.Timestamping).
/// </summary>
public interface ITimestampTokenVerifier
{
    /// <summary>Verifies one token; never throws for a bad token, it reports it.</summary>
    /// <param name="tsa">The TSA's name, for messages.</param>
    /// <param name="tokenDer">The token (CMS ContentInfo, DER).</param>
    /// <param name="expectedSha256">The SHA-256 the token must timestamp (here: of the checkpoint text).</param>
    /// <param name="chainPem">The TSA certificate and its chain as shipped in the bundle (PEM); an implementation may pin its own anchors instead.</param>
    TimestampTokenVerification Verify(string tsa, ReadOnlyMemory<byte> tokenDer, ReadOnlyMemory<byte> expectedSha256, string chainPem);
}

/// <summary>The outcome of <see cref="ITimestampTokenVerifier.Verify"/>.</summary>
/// <param name="Valid">Whether every part of the token verified.</param>
/// <param name="Detail">One plain sentence: what was checked, or what failed.</param>
/// <param name="GenTime">The token's time, when it could be read.</param>
public sealed record TimestampTokenVerification(bool Valid, string Detail, DateTimeOffset? GenTime = null);
