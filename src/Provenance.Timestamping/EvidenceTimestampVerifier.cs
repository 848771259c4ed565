using System.Security.Cryptography.X509Certificates;
using Provenance.Core.Evidence;

namespace Provenance.Timestamping;

/// <summary>
/// <see cref="ITimestampTokenVerifier"/> for evidence bundles over <see cref="Rfc3161TokenVerifier"/>: the same
/// rules the server applies when it accepts a token. Trust anchors are the pinned roots when given; otherwise
/// the self-signed certificates of the chain shipped in the bundle, which proves the token is consistent with
/// that root (compare the root with one you trust, as the bundle's README says).
/// </summary>
/// <param name="pinnedAnchors">Roots to trust instead of the bundle's own; <see langword="null"/> to use the bundle's.</param>
/// <param name="policyOid">Policy every token must carry, or <see langword="null"/> for any.</param>
public sealed class EvidenceTimestampVerifier(IReadOnlyCollection<X509Certificate2>? pinnedAnchors = null, string? policyOid = null)
    : ITimestampTokenVerifier
{
    /// <inheritdoc />
    public TimestampTokenVerification Verify(string tsa, ReadOnlyMemory<byte> tokenDer, ReadOnlyMemory<byte> expectedSha256, string chainPem)
    {
        X509Certificate2Collection chain = [];
        try
        {
            if (!string.IsNullOrWhiteSpace(chainPem))
            {
                chain.ImportFromPem(chainPem);
            }
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            return new TimestampTokenVerification(false, $"The certificate chain of {tsa} is not readable PEM: {e.Message}");
        }

        try
        {
            var anchors = pinnedAnchors ?? [.. chain.Where(c => c.SubjectName.RawData.AsSpan().SequenceEqual(c.IssuerName.RawData))];
            if (anchors.Count == 0)
            {
                return new TimestampTokenVerification(false, $"The chain of {tsa} has no root certificate to verify against.");
            }

            var token = Rfc3161TokenVerifier.Verify(tokenDer.ToArray(), expectedSha256.Span, anchors, policyOid);
            return new TimestampTokenVerification(true, $"Token signed by {token.TsaName} at {token.GenTime:O}, chained to its root.", token.GenTime);
        }
        catch (TimestampException e)
        {
            return new TimestampTokenVerification(false, e.Message);
        }
        finally
        {
            foreach (var certificate in chain)
            {
                certificate.Dispose();
            }
        }
    }
}
